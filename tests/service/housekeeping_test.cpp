// serve's housekeeping thread (daemon/housekeeping.h): every task is asked again and again,
// a task that throws neither ends the thread nor keeps the others from running, and
// shutdown (or a reload) raises the tasks' stop flag before joining.

#include "daemon/housekeeping.h"

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace herald {
namespace {

constexpr auto kLimit = std::chrono::seconds(30);  // a safety net, never a timing assertion

// Counts its calls; throws on each when `throws`. Waits inside run_due until stop when
// `blocks`. Shared state outlives the task (the Housekeeping owns and destroys it).
struct Calls {
  std::mutex mutex;
  std::condition_variable changed;
  int count = 0;
  std::int64_t last_now = 0;
  bool saw_stop = false;

  bool wait_for(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kLimit, [&] { return count >= n; });
  }
};

class FakeTask final : public PeriodicTask {
 public:
  FakeTask(Calls& calls, bool throws, bool blocks = false)
      : calls_(calls), throws_(throws), blocks_(blocks) {}
  std::string_view name() const override { return throws_ ? "thrower" : "counter"; }
  void run_due(std::int64_t now_utc, const std::atomic<bool>& stop) override {
    {
      std::lock_guard lock(calls_.mutex);
      ++calls_.count;
      calls_.last_now = now_utc;
    }
    calls_.changed.notify_all();
    if (blocks_) {
      const auto deadline = std::chrono::steady_clock::now() + kLimit;
      while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::lock_guard lock(calls_.mutex);
      calls_.saw_stop = stop.load();
    }
    if (throws_) {
      throw std::runtime_error("smtp server said\nsource=x outcome=forged");
    }
  }

 private:
  Calls& calls_;
  bool throws_;
  bool blocks_;
};

TEST(HousekeepingTest, AThrowingTaskIsRetriedAndTheOthersKeepRunning) {
  testing::FakeClock clock(1'700'000'000);
  Calls thrower;
  Calls counter;
  std::vector<std::unique_ptr<PeriodicTask>> tasks;
  tasks.push_back(std::make_unique<FakeTask>(thrower, true));
  tasks.push_back(std::make_unique<FakeTask>(counter, false));
  Housekeeping housekeeping(std::move(tasks), clock, std::chrono::milliseconds(1));
  EXPECT_EQ(housekeeping.size(), 2u);
  EXPECT_TRUE(thrower.wait_for(5));
  EXPECT_TRUE(counter.wait_for(5));
  std::lock_guard lock(counter.mutex);
  EXPECT_EQ(counter.last_now, 1'700'000'000);  // tasks are handed the wall clock's now
}

TEST(HousekeepingTest, ShutdownRaisesTheStopFlagOfATaskInProgress) {
  testing::FakeClock clock;
  Calls slow;
  {
    std::vector<std::unique_ptr<PeriodicTask>> tasks;
    tasks.push_back(std::make_unique<FakeTask>(slow, false, true));
    Housekeeping housekeeping(std::move(tasks), clock, std::chrono::milliseconds(1));
    ASSERT_TRUE(slow.wait_for(1));
  }  // the destructor must not wait out the task: it tells it to stop
  std::lock_guard lock(slow.mutex);
  EXPECT_TRUE(slow.saw_stop);
  EXPECT_EQ(slow.count, 1);
}

TEST(HousekeepingTest, NoTasksNoThread) {
  testing::FakeClock clock;
  const Housekeeping housekeeping({}, clock);
  EXPECT_EQ(housekeeping.size(), 0u);
}

}  // namespace
}  // namespace herald
