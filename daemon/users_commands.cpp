// `herald users add | passwd | list`. Being written (issue work in progress): registers no verb yet.

#include "daemon/cli.h"

namespace herald {

void add_users_verbs(Cli& /*cli*/) {}

}  // namespace herald
