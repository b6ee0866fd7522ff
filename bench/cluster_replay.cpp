// Same-story matching replayed from a database: every item in id order is looked up in the
// window of the items before it (first seen within 7 days), then added, as a cold poll cycle
// does. Prints the CPU time of the lookups and of building the keys, and how many matched.
//
//   herald_cluster_replay DATABASE     (e.g. the state/herald.db a bench-poll cycle left)

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "scrapers/cluster/story_index.h"
#include "storage/store.h"

namespace {

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: herald_cluster_replay DATABASE\n");
    return 2;
  }
  auto store = herald::Store::open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "herald_cluster_replay: %s\n", store.error().message.c_str());
    return 1;
  }
  auto stories = store->recent_stories(0);
  if (!stories) {
    std::fprintf(stderr, "herald_cluster_replay: %s\n", stories.error().message.c_str());
    return 1;
  }
  constexpr std::int64_t kWindow = 7 * 86400;
  herald::StoryIndex index;
  double keys = 0;
  double finds = 0;
  int matched = 0;
  for (const herald::StoryRecord& story : *stories) {
    double start = cpu_seconds();
    const herald::StoryKey key = herald::story_key(story.title, story.summary);
    keys += cpu_seconds() - start;
    start = cpu_seconds();
    matched += index.find(key, story.first_seen - kWindow).has_value() ? 1 : 0;
    finds += cpu_seconds() - start;
    index.add(story.item_id, story.first_seen, key);
  }
  std::printf("items=%zu matched=%d keys_cpu_s=%.3f find_cpu_s=%.3f\n", stories->size(), matched,
              keys, finds);
  return 0;
}
