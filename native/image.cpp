// torchvision.io.decode_jpeg's decoder: the system's libjpeg(-turbo), as
// torchvision's own decode_jpeg drives it (default ISLOW IDCT and fancy
// upsampling; the output color space set from the read mode; a truncated
// stream is an error, not libjpeg's gray fill). A 96x96 JPEG decodes here in
// about Pillow's time; through sharp (libvips on a thread) it took 4-7x that.
//
// libjpeg is loaded with dlopen on first use, not linked: a prebuilt addon
// then still loads where libjpeg is missing, and torchvision.io falls back to
// sharp. The soname follows the header's ABI (JPEG_LIB_VERSION), and
// jpeg_CreateDecompress checks the version and struct size it was built with.
//
// No LibTorch headers here: this file compiles in seconds. node-addon-api is
// configured as in common.h (the same inline definitions in every unit).
#define NAPI_VERSION 8
#define NODE_ADDON_API_DISABLE_DEPRECATED
#define NODE_ADDON_API_CPP_EXCEPTIONS
#define NODE_ADDON_API_CPP_EXCEPTIONS_ALL
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#include <napi.h>

#if defined(TN_HAS_JPEG)
#include <dlfcn.h>

#include <csetjmp>
#include <cstdio>  // jpeglib.h uses FILE
#include <mutex>
#include <string>

#include <jpeglib.h>
#endif

namespace tn {

#if defined(TN_HAS_JPEG)
namespace {

#if JPEG_LIB_VERSION == 62
constexpr const char* kJpegSoname = "libjpeg.so.62";
#elif JPEG_LIB_VERSION == 70
constexpr const char* kJpegSoname = "libjpeg.so.7";
#elif JPEG_LIB_VERSION == 80
constexpr const char* kJpegSoname = "libjpeg.so.8";
#else
#error "torch-node: unknown libjpeg ABI (JPEG_LIB_VERSION)"
#endif

struct JpegApi {
  decltype(&jpeg_std_error) std_error = nullptr;
  decltype(&jpeg_CreateDecompress) create_decompress = nullptr;
  decltype(&jpeg_read_header) read_header = nullptr;
  decltype(&jpeg_start_decompress) start_decompress = nullptr;
  decltype(&jpeg_read_scanlines) read_scanlines = nullptr;
  decltype(&jpeg_finish_decompress) finish_decompress = nullptr;
  decltype(&jpeg_destroy_decompress) destroy_decompress = nullptr;
  decltype(&jpeg_resync_to_restart) resync_to_restart = nullptr;
  std::string error;  // why it could not be loaded
};

const JpegApi& jpeg_api() {
  static JpegApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen(kJpegSoname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = dlerror();
      api.error = e ? e : kJpegSoname;
      return;
    }
    bool ok = true;
    auto load = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      ok = ok && fn;
    };
    load(api.std_error, "jpeg_std_error");
    load(api.create_decompress, "jpeg_CreateDecompress");
    load(api.read_header, "jpeg_read_header");
    load(api.start_decompress, "jpeg_start_decompress");
    load(api.read_scanlines, "jpeg_read_scanlines");
    load(api.finish_decompress, "jpeg_finish_decompress");
    load(api.destroy_decompress, "jpeg_destroy_decompress");
    load(api.resync_to_restart, "jpeg_resync_to_restart");
    if (!ok) api.error = std::string(kJpegSoname) + " lacks the libjpeg decompression API";
  });
  return api;
}

// libjpeg reports errors through error_exit, which must not return: it jumps
// back to decode()'s setjmp. Only libjpeg's C frames lie in between.
struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

// libjpeg's warnings (corrupt data it decoded through) would go to the process's stderr
// (as torchvision lets them); the decode goes on as there, without printing.
extern "C" void on_jpeg_message(j_common_ptr) {}

extern "C" void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

// The whole file is in memory. Running out of it is torchvision's error (its
// source manager's), where libjpeg's own memory source would fill gray.
extern "C" void source_init(j_decompress_ptr) {}
extern "C" void source_term(j_decompress_ptr) {}
extern "C" boolean source_fill(j_decompress_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(err->message, sizeof err->message, "Image is incomplete or truncated");
  longjmp(err->jump, 1);
}
extern "C" void source_skip(j_decompress_ptr cinfo, long n) {
  jpeg_source_mgr* src = cinfo->src;
  if (n <= 0) return;
  if (static_cast<size_t>(n) > src->bytes_in_buffer) source_fill(cinfo);
  src->next_input_byte += n;
  src->bytes_in_buffer -= static_cast<size_t>(n);
}

// The samples go straight into a JS ArrayBuffer (plain C handles: nothing
// here has a destructor for a longjmp to skip).
struct Decoded {
  napi_value buffer = nullptr;
  uint8_t* pixels = nullptr;
  int width = 0, height = 0, channels = 0;
};

// mode: torchvision's ImageReadMode (0 UNCHANGED, 1 GRAY, 3 RGB). Returns
// false with `message` set on any libjpeg error. Nothing with a destructor is
// created between setjmp and the last libjpeg call but `out`, declared before.
bool decode(napi_env env, const JpegApi& api, const uint8_t* data, size_t size, int mode, Decoded& out, std::string& message) {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  jpeg_source_mgr src;
  cinfo.err = api.std_error(&err.pub);
  err.pub.error_exit = on_jpeg_error;
  err.pub.output_message = on_jpeg_message;
  err.message[0] = '\0';
  volatile bool created = false;  // read after a longjmp
  if (setjmp(err.jump)) {
    if (created) api.destroy_decompress(&cinfo);
    message = err.message;
    return false;
  }
  api.create_decompress(&cinfo, JPEG_LIB_VERSION, sizeof(jpeg_decompress_struct));
  created = true;
  src.next_input_byte = data;
  src.bytes_in_buffer = size;
  src.init_source = source_init;
  src.fill_input_buffer = source_fill;
  src.skip_input_data = source_skip;
  src.resync_to_restart = api.resync_to_restart;
  src.term_source = source_term;
  cinfo.src = &src;
  api.read_header(&cinfo, TRUE);
  int channels = cinfo.num_components;
  if (mode == 1 && cinfo.jpeg_color_space != JCS_GRAYSCALE) {
    cinfo.out_color_space = JCS_GRAYSCALE;
    channels = 1;
  } else if (mode == 3 && cinfo.jpeg_color_space != JCS_RGB) {
    cinfo.out_color_space = JCS_RGB;
    channels = 3;
  }
  api.start_decompress(&cinfo);
  out.width = static_cast<int>(cinfo.output_width);
  out.height = static_cast<int>(cinfo.output_height);
  out.channels = channels;
  if (cinfo.output_components != channels) {
    std::snprintf(err.message, sizeof err.message, "libjpeg gave %d components where %d were asked for",
                  cinfo.output_components, channels);
    longjmp(err.jump, 1);
  }
  const size_t stride = static_cast<size_t>(out.width) * channels;
  void* memory = nullptr;
  if (napi_create_arraybuffer(env, stride * out.height, &memory, &out.buffer) != napi_ok) {
    std::snprintf(err.message, sizeof err.message, "could not allocate %zu bytes for a %dx%d image",
                  stride * out.height, out.width, out.height);
    longjmp(err.jump, 1);
  }
  out.pixels = static_cast<uint8_t*>(memory);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels + stride * cinfo.output_scanline;
    api.read_scanlines(&cinfo, &row, 1);
  }
  api.finish_decompress(&cinfo);
  api.destroy_decompress(&cinfo);
  return true;
}

}  // namespace

// jpeg_decode(bytes: Uint8Array, mode: 0 | 1 | 3) -> { data, width, height, channels } (HWC)
static Napi::Value jpeg_decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "jpeg_decode(bytes: Uint8Array, mode: number)");
  auto bytes = info[0].As<Napi::Uint8Array>();
  int mode = info[1].As<Napi::Number>().Int32Value();
  if (mode != 0 && mode != 1 && mode != 3) throw Napi::TypeError::New(env, "The provided mode is not supported for JPEG files");
  const JpegApi& api = jpeg_api();
  if (!api.error.empty()) throw Napi::Error::New(env, "torchvision.io: libjpeg could not be loaded: " + api.error);
  Decoded d;
  std::string message;
  if (!decode(env, api, bytes.Data(), bytes.ByteLength(), mode, d, message)) {
    // a failed napi call may have left an exception pending: ours replaces it
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    throw Napi::Error::New(env, "decode_jpeg: " + message);
  }
  Napi::ArrayBuffer buffer(env, d.buffer);
  Napi::Object o = Napi::Object::New(env);
  o.Set("data", Napi::Uint8Array::New(env, buffer.ByteLength(), buffer, 0));
  o.Set("width", Napi::Number::New(env, d.width));
  o.Set("height", Napi::Number::New(env, d.height));
  o.Set("channels", Napi::Number::New(env, d.channels));
  return o;
}

// jpeg_decoder() -> null when this build has no libjpeg, else { soname, error }
static Napi::Value jpeg_decoder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const JpegApi& api = jpeg_api();
  Napi::Object o = Napi::Object::New(env);
  o.Set("soname", Napi::String::New(env, kJpegSoname));
  o.Set("error", api.error.empty() ? env.Null() : Napi::String::New(env, api.error));
  return o;
}
#endif

void init_image(Napi::Env env, Napi::Object exports) {
#if defined(TN_HAS_JPEG)
  exports.Set("jpeg_decode", Napi::Function::New(env, jpeg_decode, "jpeg_decode"));
  exports.Set("jpeg_decoder", Napi::Function::New(env, jpeg_decoder, "jpeg_decoder"));
#else
  exports.Set("jpeg_decoder", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return info.Env().Null();
  }, "jpeg_decoder"));
#endif
}

}  // namespace tn
