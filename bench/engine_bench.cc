// The hot path of a switch, piece by piece: decode the stored state, apply the
// switch, encode the result. Target (issue 2): decode + switch + encode of a
// 2-participant session under 5 us on the 2-core development machine. Issue 17 adds
// the same path for every time control (BM_DecodeSwitchEncodeControl/<type>), and
// Fischer without a time_control must stay within 10 % of the build before it.
#include <string>

#include <benchmark/benchmark.h>

#include "domain/json.h"
#include "engine/engine.h"
#include "engine/live_view.h"

namespace {

using namespace std::chrono_literals;
using sk::domain::Millis;
using sk::domain::Session;
using sk::domain::TimePoint;
using sk::domain::Uuid;

const TimePoint kT0 = sk::domain::from_unix_ms(1'767'225'600'000);

Uuid make_id(std::uint8_t kind, int n) {
  std::array<std::uint8_t, 16> b{};
  b[0] = kind;
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid{b};
}

Session running_chess_session(int players) {
  sk::domain::CreateSessionRequest r;
  r.sync_mode = sk::domain::SyncMode::per_participant;
  r.total_time = 300s;
  r.increment = 2s;
  for (int i = 0; i < players; ++i) r.participants.push_back({make_id(0xaa, i), {}, {}, {}});
  auto created = sk::engine::create(r, make_id(0x5e, 1), kT0);
  auto started = sk::engine::apply(created->state, sk::domain::StartCommand{}, kT0);
  return started->state;
}

std::string stored(const Session& s) {
  return sk::domain::encode_session(s, sk::engine::live_view(s, s.updated_at));
}

void BM_Decode(benchmark::State& state) {
  const std::string json = stored(running_chess_session(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto s = sk::domain::decode_session(json);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(json.size()));
}
BENCHMARK(BM_Decode)->Arg(2)->Arg(100);

void BM_Encode(benchmark::State& state) {
  const Session s = running_chess_session(static_cast<int>(state.range(0)));
  const auto live = sk::engine::live_view(s, kT0 + 1s);
  for (auto _ : state) {
    auto json = sk::domain::encode_session(s, live);
    benchmark::DoNotOptimize(json);
  }
}
BENCHMARK(BM_Encode)->Arg(2)->Arg(100);

void BM_Switch(benchmark::State& state) {
  const Session s = running_chess_session(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto t = sk::engine::apply(s, sk::domain::SwitchCommand{}, kT0 + 1500ms);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Switch)->Arg(2)->Arg(100);

// What one switch request costs the engine and codec: read the stored JSON, apply,
// write the new stored JSON and the response with live values.
void BM_DecodeSwitchEncode(benchmark::State& state) {
  const std::string json = stored(running_chess_session(static_cast<int>(state.range(0))));
  const TimePoint now = kT0 + 1500ms;
  for (auto _ : state) {
    auto s = sk::domain::decode_session(json);
    auto t = sk::engine::apply(*s, sk::domain::SwitchCommand{}, now);
    auto out = sk::domain::encode_session(t->state, sk::engine::live_view(t->state, now));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeSwitchEncode)->Arg(2)->Arg(100);

#if __has_include("engine/time_control_rules.h")
// A 2-player session under each time control (the argument: 0 fischer with 40/90
// stages, 1 bronstein, 2 delay, 3 byoyomi in overtime, 4 canadian in overtime,
// 5 hourglass), running, one move in.
Session running_controlled_session(int kind) {
  using sk::domain::TimeControlType;
  sk::domain::CreateSessionRequest r;
  r.sync_mode = sk::domain::SyncMode::per_participant;
  r.total_time = 300s;
  sk::domain::TimeControl tc;
  switch (kind) {
    case 0:
      tc.type = TimeControlType::fischer;
      tc.increment = 30s;
      tc.stages = {{40, 5400s, {}, {}}, {{}, 1800s, {}, {}}};
      break;
    case 1:
      tc.type = TimeControlType::bronstein;
      tc.delay = 10s;
      break;
    case 2:
      tc.type = TimeControlType::delay;
      tc.delay = 5s;
      break;
    case 3:
      tc.type = TimeControlType::byoyomi;
      tc.periods = 5;
      tc.period = 30s;
      r.total_time = 1s;  // in overtime after the first move
      break;
    case 4:
      tc.type = TimeControlType::canadian;
      tc.moves = 25;
      tc.period = 600s;
      r.total_time = 1s;
      break;
    default: tc.type = TimeControlType::hourglass; break;
  }
  tc.lag_compensation = true;
  r.time_control = tc;
  for (int i = 0; i < 2; ++i) r.participants.push_back({make_id(0xaa, i), {}, {}, {}});
  auto created = sk::engine::create(r, make_id(0x5e, 1), kT0);
  auto started = sk::engine::apply(created->state, sk::domain::StartCommand{}, kT0);
  auto moved = sk::engine::apply(started->state, sk::domain::SwitchCommand{}, kT0 + 1200ms);
  return moved->state;
}

void BM_DecodeSwitchEncodeControl(benchmark::State& state) {
  const Session s = running_controlled_session(static_cast<int>(state.range(0)));
  const std::string json = stored(s);
  const TimePoint now = *s.cycle_started_at + 1500ms;
  sk::domain::SwitchCommand cmd;
  cmd.client_lag = 40ms;
  for (auto _ : state) {
    auto d = sk::domain::decode_session(json);
    auto t = sk::engine::apply(*d, cmd, now);
    auto out = sk::domain::encode_session(t->state, sk::engine::live_view(t->state, now));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeSwitchEncodeControl)->DenseRange(0, 5);
#endif

}  // namespace
