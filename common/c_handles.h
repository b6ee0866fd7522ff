#pragma once

// Owners for the libxml2 handles herald touches (curl's are in common/curl_handles.h, so
// that a module using one library does not need the other's headers). Each is a
// unique_ptr with a stateless deleter: pointer-sized, and freed on every path.

#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "common/c_free.h"

namespace herald {

using XmlDoc = std::unique_ptr<xmlDoc, CFree<xmlFreeDoc>>;
using XPathContext = std::unique_ptr<xmlXPathContext, CFree<xmlXPathFreeContext>>;
using XPathObject = std::unique_ptr<xmlXPathObject, CFree<xmlXPathFreeObject>>;

// xmlFree is a global function *pointer*, so it cannot be a template argument.
struct XmlCharFree {
  void operator()(xmlChar* p) const noexcept { xmlFree(p); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharFree>;

}  // namespace herald
