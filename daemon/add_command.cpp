// `herald add URL`: manual intake. Being written (issue work in progress): registers no verb yet.

#include "daemon/cli.h"

namespace herald {

void add_add_verb(Cli& /*cli*/) {}

}  // namespace herald
