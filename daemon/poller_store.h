#pragma once

#include "common/result.h"
#include "config/herald_config.h"
#include "storage/store.h"

namespace herald {

// The database connection a poller commits its polls on (`herald poll`'s workers, serve's
// poll loop): open_store, then synchronous=NORMAL (daemon/poller_store.cpp says why). Only
// for connections that write nothing but polls: the web UI's and the editors' CLI verbs
// keep open_store's synchronous=FULL. Errors: as open_store.
Result<Store> open_poller_store(const HeraldConfig& config);

}  // namespace herald
