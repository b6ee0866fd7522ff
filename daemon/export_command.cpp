// `herald export`: the newsletter draft. Being written (issue work in progress): registers no verb yet.

#include "daemon/cli.h"

namespace herald {

void add_export_verb(Cli& /*cli*/) {}

}  // namespace herald
