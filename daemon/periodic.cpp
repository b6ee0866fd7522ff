#include "daemon/periodic.h"

#include "daemon/db_care.h"
#include "daemon/notify.h"

namespace herald {

std::vector<std::unique_ptr<PeriodicTask>> make_periodic_tasks(const Loaded& loaded) {
  std::vector<std::unique_ptr<PeriodicTask>> tasks;
  if (auto notify = make_notify_task(loaded)) {
    tasks.push_back(std::move(notify));
  }
  if (auto db_care = make_db_care_task(loaded)) {
    tasks.push_back(std::move(db_care));
  }
  return tasks;
}

}  // namespace herald
