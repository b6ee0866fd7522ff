#include "daemon/poller_store.h"

#include <utility>

#include "daemon/context.h"

namespace herald {

// Why NORMAL is enough for polls, and FULL stays for everything else: in WAL mode NORMAL
// skips the fsync of each commit and syncs the WAL only at checkpoints. A commit that
// returned still survives a crash or a SIGKILL of herald (it is in the OS's page cache),
// and the database is consistent whatever happens. Only a power failure (or a kernel
// crash) can lose the last polls' commits, and each poll is one transaction (items,
// candidates, validators and the poll record together), so what is lost is lost whole:
// validators never get ahead of the items they cover, and the next cycle fetches those
// pages again and stores the same items. An editor's decision cannot be fetched again, so
// the connections that write decisions (web UI, CLI verbs) keep FULL. A FULL commit on any
// connection also makes every earlier NORMAL commit durable (the WAL is one file written in
// order). A cycle of 1,000 polls thus waits for the WAL's fsync (~2.6 ms each on a virtio
// disk) at checkpoints only, not 1,000 times.
Result<Store> open_poller_store(const HeraldConfig& config) {
  auto store = open_store(config);
  if (!store) {
    return store;
  }
  if (auto set = store->database().set_synchronous(Synchronous::kNormal); !set) {
    return fail(std::move(set.error()));
  }
  return store;
}

}  // namespace herald
