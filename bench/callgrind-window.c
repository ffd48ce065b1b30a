/* Callgrind's client requests as three calls, start(), dump() and stop(), for
 * bench/instructions.js: built there as a Node-API module (-DTN_NAPI) and as
 * a plain shared library for Python's ctypes, so that both languages count
 * exactly the instructions of the measured loop. Under valgrind with
 * --instr-atstart=no the start-up (LibTorch's loading, Node's and Python's
 * boot) runs uninstrumented, minutes faster; outside valgrind both are no-ops. */
#include <valgrind/callgrind.h>

void tn_callgrind_start(void) {
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
}

/* Writes the counts since the last dump to <out-file>.<n> and zeroes them. */
void tn_callgrind_dump(void) { CALLGRIND_DUMP_STATS; }

void tn_callgrind_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }

#ifdef TN_NAPI
#include <node_api.h>

static napi_value js_start(napi_env env, napi_callback_info info) {
  (void)env; (void)info;
  tn_callgrind_start();
  return NULL;
}

static napi_value js_dump(napi_env env, napi_callback_info info) {
  (void)env; (void)info;
  tn_callgrind_dump();
  return NULL;
}

static napi_value js_stop(napi_env env, napi_callback_info info) {
  (void)env; (void)info;
  tn_callgrind_stop();
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"dump", NULL, js_dump, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}
#endif
