// torch.save / torch.load: the zip container, through LibTorch's own
// caffe2::serialize::PyTorchStreamReader / PyTorchStreamWriter. The pickle
// inside (data.pkl) is read and written in TypeScript (lib/pickle.ts), so this
// file only moves records in and out of the archive and turns storage records
// into tensors. Nothing here trusts a size that came from the file: every
// length is checked against the bytes LibTorch actually handed back.
//
// Reader and writer handles are plain JS objects wrapping a C++ object, marked
// with a Node-API type tag, so that a tensor handle (an External) or a foreign
// object can never be taken for one.
#include "common.h"

#include <ATen/ops/empty.h>
#include <caffe2/serialize/file_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/versions.h>
#include <caffe2/serialize/read_adapter_interface.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tn {
namespace {

using caffe2::serialize::PyTorchStreamReader;
using caffe2::serialize::PyTorchStreamWriter;
using caffe2::serialize::ReadAdapterInterface;

// ---- handles -------------------------------------------------------------------

constexpr napi_type_tag kReaderTag = {0x6a1f2c3d4e5b6071ULL, 0x8192a3b4c5d6e7f8ULL};
constexpr napi_type_tag kWriterTag = {0x0f1e2d3c4b5a6978ULL, 0x8796a5b4c3d2e1f0ULL};

// A record as the central directory describes it (zip_open_reader's scan).
struct RecordInfo {
  uint32_t method = 0;   // 0: stored, 8: deflated
  uint64_t usize = 0;    // uncompressed size
};

struct Reader {
  std::unique_ptr<PyTorchStreamReader> impl;
  std::shared_ptr<ReadAdapterInterface> in;              // what impl reads
  std::unordered_map<std::string, RecordInfo> records;   // by name in the archive folder; empty when the scan was skipped
};

struct Writer {
  std::unique_ptr<PyTorchStreamWriter> impl;
  std::string buffer;      // the archive, when written to memory
  bool to_memory = false;
  bool failed = false;     // a write threw: the writer may be unusable
};

// The writer's file stream. PyTorchStreamWriter keeps it private, closes it
// in writeEndOfFile without checking the result (a full disk that shows only
// when the last buffered bytes are flushed went unreported: torch.save to
// /dev/full "succeeded"), and a writer that failed earlier can never be
// finalized, so its file stayed open. An explicit instantiation may name a
// private member (C++17 [temp.spec]/6): that yields a pointer to the member.
struct FileStreamTag {
  friend std::ofstream PyTorchStreamWriter::*file_stream_of(FileStreamTag);
};
template <std::ofstream PyTorchStreamWriter::*M>
struct FileStreamAccess {
  friend std::ofstream PyTorchStreamWriter::*file_stream_of(FileStreamTag) { return M; }
};
template struct FileStreamAccess<&PyTorchStreamWriter::file_stream_>;

std::ofstream& file_stream(PyTorchStreamWriter& w) { return w.*file_stream_of(FileStreamTag{}); }

// A PyTorchStreamWriter's destructor finishes the archive when that was not
// done, and a failure there (an I/O error seen earlier, a full disk) throws
// from a destructor, which terminates the process. So a writer is destroyed
// only once it is finalized; one that cannot be finalized is leaked on purpose
// (a few hundred bytes and, for a file, its descriptor: the TS side truncates
// and removes the broken file).
void discard_writer(Writer* w) {
  if (!w->impl) return;
  if (!w->impl->finalized() && !w->failed) {
    try {
      w->impl->writeEndOfFile();
    } catch (...) {
    }
  }
  if (w->impl->finalized()) {
    w->impl.reset();
  } else {
    // see above: never run its destructor, but close its file (the rest of
    // it, a few hundred bytes and miniz's directory, is leaked)
    // (a stream that throws on errors, as 2.x's writer sets it up, throws
    // from close() when its last bytes cannot be written: it is closed then)
    std::ofstream& f = file_stream(*w->impl);
    try {
      if (f.is_open()) f.close();
    } catch (const std::exception&) {
    }
    (void)w->impl.release();
  }
}

// Finalizers run after the GC, when the event loop turns (a stable Node-API
// module's are deferred), so they may do anything; these only free memory.
void destroy_writer(Writer* w) {
  discard_writer(w);
  delete w;
}

PyTorchStreamReader& open_reader(Napi::Value v) {
  auto* r = unwrap_object<Reader>(v, &kReaderTag, "zip reader");
  if (!r->impl) throw std::runtime_error("the zip reader was closed");
  return *r->impl;
}

Writer& open_writer(Napi::Value v) {
  auto* w = unwrap_object<Writer>(v, &kWriterTag, "zip writer");
  if (!w->impl) throw std::runtime_error("the zip writer was closed");
  if (w->failed) throw std::runtime_error("the zip writer failed earlier and cannot be used");
  return *w;
}

// Bytes of a Uint8Array / Buffer / ArrayBuffer argument (borrowed).
std::pair<const uint8_t*, size_t> bytes_of(Napi::Value v, const char* what) {
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    napi_typedarray_type t = ta.TypedArrayType();
    if (t != napi_uint8_array && t != napi_int8_array && t != napi_uint8_clamped_array)
      throw JsTypeError(std::string(what) + " must be a Uint8Array or Buffer");
    return {static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength()};
  }
  if (v.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = v.As<Napi::ArrayBuffer>();
    return {static_cast<const uint8_t*>(ab.Data()), ab.ByteLength()};
  }
  throw JsTypeError(std::string(what) + " must be a Uint8Array, Buffer or ArrayBuffer");
}

// An archive held in memory (a copy: the JS buffer may change or go away).
struct MemoryAdapter final : ReadAdapterInterface {
  std::string data;
  size_t size() const override { return data.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char*) const override {
    if (pos >= data.size()) return 0;
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, data.size() - pos));
    if (k) std::memcpy(buf, data.data() + pos, k);
    return k;
  }
};

// Record names written from JS: ours only (data.pkl, data/<key>, byteorder...).
// "version" is written by the writer itself when it finishes; writing it twice
// would throw from that point on.
void check_record_name(const Writer& w, const std::string& name) {
  if (name.empty() || name.size() > 200 || name[0] == '/' || name == "version" ||
      name == ".data/version")
    throw JsTypeError("zip writer: invalid record name '" + name + "'");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '/' || c == '-';
    if (!ok) throw JsTypeError("zip writer: invalid record name '" + name + "'");
  }
  // no empty, "." or ".." path segments (an unzip tool would leave the folder)
  for (size_t start = 0; start <= name.size();) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string seg = name.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      throw JsTypeError("zip writer: invalid record name '" + name + "'");
    start = end + 1;
  }
  if (w.impl->getAllWrittenRecords().count(name))
    throw JsTypeError("zip writer: record '" + name + "' was already written");
}

template <typename F>
void writer_step(Writer& w, F&& f) {
  try {
    errno = 0;
    f();
  } catch (const std::ios_base::failure&) {
    // 2.x's writer lets its file stream throw ("basic_ios::clear: iostream error"):
    // said as 1.13's writer says it, with the system's reason
    w.failed = true;
    const int err = errno;
    throw std::runtime_error(std::string("file write failed: ") + (err ? std::strerror(err) : "the stream reported an error"));
  } catch (...) {
    w.failed = true;
    throw;
  }
}

// ---- reading ---------------------------------------------------------------------

// PyTorchStreamReader's constructor leaks miniz's central directory (about
// 70 bytes an entry: 1.4 MB for 20,000 entries) when init() throws after the
// zip was opened: an archive whose first record is not in a folder, without a
// version record, or whose version cannot be read. Those checks are made here
// first, on the central directory, and refused with LibTorch's messages; the
// reader is only constructed for an archive that passes them. Anything this
// scan does not understand (ZIP64, a malformed directory, a compressed version
// record) is left to LibTorch, whose own failures there do not leak.
uint32_t crc32_of(const uint8_t* p, size_t n) {
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void precheck_archive(ReadAdapterInterface& in, std::unordered_map<std::string, RecordInfo>& records) {
  const uint64_t size = in.size();
  auto rd = [&](uint64_t pos, size_t n) -> std::string {
    std::string b(n, '\0');
    if (pos > size || n > size - pos || in.read(pos, &b[0], n, "checking the zip archive") != n) return {};
    return b;
  };
  auto u16 = [](const std::string& b, size_t at) { return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8; };
  auto u32 = [&](const std::string& b, size_t at) { return u16(b, at) | u16(b, at + 2) << 16; };
  if (size < 22) return;
  const size_t tail_n = static_cast<size_t>(std::min<uint64_t>(size, 65535 + 22));
  std::string tail = rd(size - tail_n, tail_n);
  if (tail.empty()) return;
  size_t eocd = std::string::npos;
  for (size_t i = tail_n - 22 + 1; i-- > 0;) {
    if (u32(tail, i) == 0x06054b50u) { eocd = i; break; }
  }
  if (eocd == std::string::npos) return;
  const uint32_t entries = u16(tail, eocd + 10), cd_size = u32(tail, eocd + 12), cd_off = u32(tail, eocd + 16);
  if (entries == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) return;  // ZIP64
  if (entries == 0) return;
  std::string cd = rd(cd_off, cd_size);
  if (cd.empty()) return;
  struct Entry { std::string name; uint32_t method, crc, csize, usize, local; };
  std::vector<Entry> list;
  list.reserve(entries);
  for (size_t p = 0; list.size() < entries;) {
    if (p + 46 > cd.size() || u32(cd, p) != 0x02014b50u) return;  // malformed: LibTorch reports it
    const size_t nlen = u16(cd, p + 28), xlen = u16(cd, p + 30), clen = u16(cd, p + 32);
    if (p + 46 + nlen + xlen + clen > cd.size()) return;
    list.push_back({cd.substr(p + 46, nlen), u16(cd, p + 10), u32(cd, p + 16), u32(cd, p + 20), u32(cd, p + 24), u32(cd, p + 42)});
    p += 46 + nlen + xlen + clen;
  }
  const std::string& first = list[0].name;
  const size_t slash = first.find('/');
  if (slash == std::string::npos)
    throw std::runtime_error("file in archive is not in a subdirectory: " + first);
  const std::string folder = first.substr(0, slash + 1);
  for (const auto& e : list) {
    if (e.name.compare(0, folder.size(), folder) == 0) records[e.name.substr(folder.size())] = RecordInfo{e.method, e.usize};
  }
  auto same = [](const std::string& a, const std::string& b) {  // miniz's lookup ignores case
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
  };
  const Entry* version = nullptr;
  for (const char* name : {".data/version", "version"}) {
    for (const auto& e : list) {
      if (same(e.name, folder + name)) { version = &e; break; }
    }
    if (version) break;
  }
  if (!version) throw std::runtime_error("Expected hasRecord(\"version\") to be true, but got false.");
  if (version->method != 0 || version->csize != version->usize || version->usize > 64) return;
  std::string local = rd(version->local, 30);
  if (local.empty() || u32(local, 0) != 0x04034b50u)
    throw std::runtime_error("PytorchStreamReader failed reading file version: invalid header or archive is corrupted");
  const uint64_t data_at = uint64_t(version->local) + 30 + u16(local, 26) + u16(local, 28);
  std::string text = version->usize ? rd(data_at, version->usize) : std::string();
  if (text.size() != version->usize)
    throw std::runtime_error("PytorchStreamReader failed reading file version: file read failed");
  if (crc32_of(reinterpret_cast<const uint8_t*>(text.data()), text.size()) != version->crc)
    throw std::runtime_error("PytorchStreamReader failed reading file version: CRC-32 check failed");
  uint64_t v = 0;
  try {
    v = std::stoull(text);
  } catch (...) {
    throw std::runtime_error("Couldn't parse the version " + text + " as Long Long.");
  }
  if (v < caffe2::serialize::kMinSupportedFileFormatVersion)
    throw std::runtime_error("Attempted to read a PyTorch file with version " + std::to_string(v) +
                             ", but the minimum supported version for reading is " +
                             std::to_string(caffe2::serialize::kMinSupportedFileFormatVersion) +
                             ". Your PyTorch script module file is too old. Please regenerate it with latest "
                             "version of PyTorch to mitigate this issue.");
  if (v > caffe2::serialize::kMaxSupportedFileFormatVersion)
    throw std::runtime_error("Attempted to read a PyTorch file with version " + std::to_string(v) +
                             ", but the maximum supported version for reading is " +
                             std::to_string(caffe2::serialize::kMaxSupportedFileFormatVersion) +
                             ". The version of your PyTorch installation may be too old, please upgrade "
                             "PyTorch to latest version to mitigate this issue.");
}


// zip_open_reader(pathOrBytes) -> reader
Napi::Value zip_open_reader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw JsTypeError("zip_open_reader: expected a path or bytes");
  auto r = std::make_unique<Reader>();
  if (info[0].IsString()) {
    std::string path = to_string(info[0], "zip_open_reader(): path");
    r->in = std::make_shared<caffe2::serialize::FileAdapter>(path);
  } else {
    auto bytes = bytes_of(info[0], "zip_open_reader(): data");
    auto adapter = std::make_shared<MemoryAdapter>();
    adapter->data.assign(reinterpret_cast<const char*>(bytes.first), bytes.second);
    r->in = std::move(adapter);
  }
  precheck_archive(*r->in, r->records);
  r->impl = std::make_unique<PyTorchStreamReader>(r->in);
  Reader* raw = r.release();
  return wrap_object(env, raw, &kReaderTag);  // a constructed reader's destructor does not throw
}

Napi::Value zip_close_reader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* r = unwrap_object<Reader>(info[0], &kReaderTag, "zip reader");
  r->impl.reset();
  r->in.reset();  // closes the file now, not when the handle is collected
  r->records.clear();
  return env.Undefined();
}

// zip_records(reader) -> names under the archive folder ("data.pkl", "data/0", ...)
Napi::Value zip_records(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = open_reader(info[0]).getAllRecords();
  Napi::Array arr = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) arr.Set(static_cast<uint32_t>(i), names[i]);
  return arr;
}

Napi::Value zip_has_record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throw JsTypeError("zip_has_record: expected (reader, name)");
  auto& r = open_reader(info[0]);
  return Napi::Boolean::New(env, r.hasRecord(to_string(info[1], "zip_has_record(): name")));
}

// zip_read_record(reader, name) -> Buffer (a copy of the record)
Napi::Value zip_read_record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throw JsTypeError("zip_read_record: expected (reader, name)");
  auto& r = open_reader(info[0]);
  std::string name = to_string(info[1], "zip_read_record(): name");
  at::DataPtr ptr;
  size_t size = 0;
  std::tie(ptr, size) = r.getRecord(name);
  if (size != 0 && ptr.get() == nullptr)
    throw std::runtime_error("zip record '" + name + "' could not be read");
  return Napi::Buffer<char>::Copy(env, size ? static_cast<const char*>(ptr.get()) : "", size);
}

// zip_read_storage(reader, name, dtype, numel, swap_bytes) -> 1-D tensor over
// the record's own memory (no copy), numel elements of dtype. The record must
// hold at least numel * itemsize bytes.
Napi::Value zip_read_storage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5) throw JsTypeError("zip_read_storage: expected (reader, name, dtype, numel, swap_bytes)");
  auto& r = open_reader(info[0]);
  auto* rh = unwrap_object<Reader>(info[0], &kReaderTag, "zip reader");
  std::string name = to_string(info[1], "zip_read_storage(): name");
  auto dtype = to_scalar_type(info[2], "zip_read_storage(): dtype");
  int64_t numel = to_int(info[3], "zip_read_storage(): numel");
  bool swap = to_bool(info[4], "zip_read_storage(): swap_bytes");
  if (numel < 0) throw JsRangeError("storage '" + name + "': negative size " + std::to_string(numel));
  const size_t itemsize = c10::elementSize(dtype);
  if (itemsize == 0) throw JsTypeError("zip_read_storage(): bad dtype");
  if (static_cast<uint64_t>(numel) > std::numeric_limits<size_t>::max() / itemsize)
    throw JsRangeError("storage '" + name + "': size " + std::to_string(numel) + " is too large");
  const size_t need = static_cast<size_t>(numel) * itemsize;
  at::DataPtr ptr;
  size_t size = 0;
  // A record larger than its storage is read only as far as the storage
  // goes (a stored record), or refused (a compressed one: inflating it whole
  // is what a zip bomb wants; torch.save never compresses records).
  auto it = rh->records.find(name);
  if (it != rh->records.end() && it->second.usize > need) {
    if (it->second.method != 0)
      throw std::runtime_error("storage record '" + name + "' is compressed and inflates to " +
                               std::to_string(it->second.usize) + " bytes, but the pickle says its storage has " +
                               std::to_string(numel) + " elements of " + std::to_string(itemsize) + " bytes (" +
                               std::to_string(need) + " bytes): refusing to inflate it (the file is corrupted, or a zip bomb)");
    const size_t offset = r.getRecordOffset(name);
    ptr = c10::GetCPUAllocator()->allocate(need);
    if (need && rh->in->read(offset, ptr.get(), need, "reading a storage record") != need)
      throw std::runtime_error("storage record '" + name + "' could not be read");
    size = need;
  } else {
    std::tie(ptr, size) = r.getRecord(name);
  }
  if (size < need)
    throw std::runtime_error("storage record '" + name + "' holds " + std::to_string(size) +
                             " bytes, but the pickle says it has " + std::to_string(numel) +
                             " elements of " + std::to_string(itemsize) + " bytes (" +
                             std::to_string(need) + " bytes): the file is corrupted or truncated");
  if (need != 0 && ptr.get() == nullptr)
    throw std::runtime_error("storage record '" + name + "' could not be read");
  if (size > need) {
    // A record larger than its storage (torch.save never writes one; a
    // crafted zip can hold a huge record for a 4-element storage): keep only
    // the storage's bytes, so that what stays resident is what the storage
    // says it is (and what memory_stats() counts).
    at::DataPtr exact = c10::GetCPUAllocator()->allocate(need);
    if (need) std::memcpy(exact.get(), ptr.get(), need);
    ptr = std::move(exact);
  }
  auto* bytes = static_cast<uint8_t*>(ptr.get());
  if (swap && itemsize > 1) {
    for (size_t i = 0; i < need; i += itemsize)
      std::reverse(bytes + i, bytes + i + itemsize);
  }
  if (dtype == at::kBool) {  // any byte but 0/1 is undefined behaviour in kernels
    for (size_t i = 0; i < need; i++) bytes[i] = bytes[i] != 0;
  }
  c10::Storage storage(c10::Storage::use_byte_size_t(), need, std::move(ptr), nullptr,
                       /*resizable=*/false);
  at::Tensor base = at::empty({0}, at::TensorOptions().dtype(dtype));
  base.set_(storage, 0, {numel}, {1});
  return wrap_tensor(env, std::move(base));
}

// tensor_from_storage(base, size, stride, storage_offset) -> a tensor sharing
// base's storage, as torch._utils._rebuild_tensor does (set_), after checking
// that every element it can reach lies inside the storage.
Napi::Value tensor_from_storage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4) throw JsTypeError("tensor_from_storage: expected (base, size, stride, storage_offset)");
  // The lists first: reading them can run JS (a getter) that disposes base.
  auto sizes = to_int_list(info[1], "tensor size");
  auto strides = to_int_list(info[2], "tensor stride");
  int64_t offset = to_int(info[3], "tensor storage_offset");
  const at::Tensor& base = unwrap_tensor(info[0], "tensor_from_storage(): base");
  if (!base.has_storage()) throw JsTypeError("tensor_from_storage(): base has no storage");
  if (sizes.size() != strides.size())
    throw JsRangeError("tensor has " + std::to_string(sizes.size()) + " sizes but " +
                       std::to_string(strides.size()) + " strides");
  if (sizes.size() > 64) throw JsRangeError("tensor has too many dimensions (" + std::to_string(sizes.size()) + ")");
  if (offset < 0) throw JsRangeError("tensor storage_offset is negative (" + std::to_string(offset) + ")");
  const int64_t itemsize = static_cast<int64_t>(base.dtype().itemsize());
  const int64_t storage_numel = static_cast<int64_t>(base.storage().nbytes()) / itemsize;
  int64_t numel = 1, last = offset;  // index of the farthest element
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); i++) {
    if (sizes[i] < 0) throw JsRangeError("tensor size " + c10::str(c10::IntArrayRef(sizes)) + " has a negative dimension");
    if (strides[i] < 0) throw JsRangeError("tensor stride " + c10::str(c10::IntArrayRef(strides)) + " is negative");
    if (sizes[i] == 0) empty = true;
    if (__builtin_mul_overflow(numel, sizes[i], &numel))
      throw JsRangeError("tensor size " + c10::str(c10::IntArrayRef(sizes)) + " overflows");
  }
  if (!empty) {
    for (size_t i = 0; i < sizes.size(); i++) {
      int64_t span;
      if (__builtin_mul_overflow(sizes[i] - 1, strides[i], &span) ||
          __builtin_add_overflow(last, span, &last))
        throw JsRangeError("tensor size/stride out of range");
    }
    if (last >= storage_numel)
      throw JsRangeError("tensor of size " + c10::str(c10::IntArrayRef(sizes)) + ", stride " +
                         c10::str(c10::IntArrayRef(strides)) + " and storage offset " +
                         std::to_string(offset) + " needs " + std::to_string(last + 1) +
                         " elements, but its storage has " + std::to_string(storage_numel));
  } else if (offset > storage_numel) {
    throw JsRangeError("tensor storage offset " + std::to_string(offset) +
                       " is beyond its storage of " + std::to_string(storage_numel) + " elements");
  }
  at::Tensor t = at::empty({0}, base.options());
  t.set_(base.storage(), offset, sizes, strides);
  return wrap_tensor(env, std::move(t));
}

// tensor_storage_info(t) -> [storage id, storage nbytes, storage_offset, has data]
// The id is the same for every tensor viewing one storage (the StorageImpl).
Napi::Value tensor_storage_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrap_tensor(info[0], "tensor");
  if (!t.has_storage() || t.layout() != at::kStrided)
    throw JsTypeError("cannot save a tensor without a strided storage (layout " +
                      c10::str(t.layout()) + ")");
  if (t.device().is_meta()) throw JsTypeError("cannot save the data of a meta tensor");
  const auto& s = t.storage();
  char id[32];
  std::snprintf(id, sizeof id, "%p", static_cast<const void*>(s.unsafeGetStorageImpl()));
  Napi::Array arr = Napi::Array::New(env, 4);
  arr.Set(0u, id);
  arr.Set(1u, static_cast<double>(s.nbytes()));
  arr.Set(2u, static_cast<double>(t.storage_offset()));
  arr.Set(3u, s.data() != nullptr);
  return arr;
}

// ---- writing -----------------------------------------------------------------------

// zip_open_writer(path | null) -> writer. With a path the archive folder is the
// file's base name without extension (as torch.save names it); in memory it is
// "archive" (as torch.save into a buffer).
Napi::Value zip_open_writer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto w = std::make_unique<Writer>();
  if (info.Length() && !is_nullish(info[0])) {
    std::string path = to_string(info[0], "zip_open_writer(): path");
    w->impl = std::make_unique<PyTorchStreamWriter>(path);
  } else {
    w->to_memory = true;
    Writer* self = w.get();
    w->impl = std::make_unique<PyTorchStreamWriter>(
        [self](const void* data, size_t n) -> size_t {
          try {
            self->buffer.append(static_cast<const char*>(data), n);
            return n;
          } catch (...) {
            return 0;  // reported by the writer as a failed write
          }
        });
  }
  Writer* raw = w.release();
  return wrap_object<Writer, destroy_writer>(env, raw, &kWriterTag);
}

// zip_write_record(writer, name, bytes)
Napi::Value zip_write_record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) throw JsTypeError("zip_write_record: expected (writer, name, bytes)");
  Writer& w = open_writer(info[0]);
  std::string name = to_string(info[1], "zip_write_record(): name");
  check_record_name(w, name);
  auto bytes = bytes_of(info[2], "zip_write_record(): bytes");
  static const char empty = 0;
  writer_step(w, [&] {
    w.impl->writeRecord(name, bytes.second ? static_cast<const void*>(bytes.first) : &empty,
                        bytes.second);
  });
  return env.Undefined();
}

// zip_write_storage(writer, name, tensor): every byte of the tensor's storage
// (copied to the CPU first when it lives elsewhere), as torch.save writes it.
Napi::Value zip_write_storage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) throw JsTypeError("zip_write_storage: expected (writer, name, tensor)");
  Writer& w = open_writer(info[0]);
  std::string name = to_string(info[1], "zip_write_storage(): name");
  check_record_name(w, name);
  const at::Tensor& t = unwrap_tensor(info[2], "zip_write_storage(): tensor");
  if (!t.has_storage() || t.layout() != at::kStrided || t.device().is_meta())
    throw JsTypeError("cannot save the storage of this tensor");
  const c10::Storage& s = t.storage();
  const size_t nbytes = s.nbytes();
  static const char empty = 0;
  if (nbytes == 0) {
    writer_step(w, [&] { w.impl->writeRecord(name, &empty, 0); });
  } else if (s.device().is_cpu()) {
    if (s.data() == nullptr) throw std::runtime_error("the tensor's storage has no data");
    writer_step(w, [&] { w.impl->writeRecord(name, s.data(), nbytes); });
  } else {
    at::Tensor bytes = at::empty({0}, t.options().dtype(at::kByte));
    bytes.set_(s, 0, {static_cast<int64_t>(nbytes)}, {1});
    at::Tensor cpu = bytes.to(at::kCPU).contiguous();
    writer_step(w, [&] { w.impl->writeRecord(name, cpu.data_ptr(), nbytes); });
  }
  return env.Undefined();
}

// zip_finish_writer(writer) -> Buffer (in memory) or undefined (file)
Napi::Value zip_finish_writer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Writer& w = open_writer(info[0]);
  writer_step(w, [&] { w.impl->writeEndOfFile(); });
  // writeEndOfFile closed the file without looking: a failed close (the
  // last buffered bytes not written, a full disk) leaves failbit set.
  const bool close_failed = !w.to_memory && file_stream(*w.impl).fail();
  const int err = errno;
  w.impl.reset();  // finalized: the destructor only closes the file
  if (close_failed)
    throw std::runtime_error(std::string("writing the end of the archive failed: ") +
                             (err ? std::strerror(err) : "the file could not be closed"));
  if (!w.to_memory) return env.Undefined();
  Napi::Buffer<char> buf = Napi::Buffer<char>::Copy(env, w.buffer.data(), w.buffer.size());
  std::string().swap(w.buffer);
  return buf;
}

// zip_abort_writer(writer): drops the writer without throwing (the TS side
// removes the file it was writing).
Napi::Value zip_abort_writer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* w = unwrap_object<Writer>(info[0], &kWriterTag, "zip writer");
  discard_writer(w);
  std::string().swap(w->buffer);
  return env.Undefined();
}

Napi::Value zip_writer_archive_name(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Writer& w = open_writer(info[0]);
  return Napi::String::New(env, w.impl->archiveName());
}

}  // namespace

void init_serialize(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({
      fn<zip_open_reader>(env, "zip_open_reader"),
      fn<zip_close_reader>(env, "zip_close_reader"),
      fn<zip_records>(env, "zip_records"),
      fn<zip_has_record>(env, "zip_has_record"),
      fn<zip_read_record>(env, "zip_read_record"),
      fn<zip_read_storage>(env, "zip_read_storage"),
      fn<tensor_from_storage>(env, "tensor_from_storage"),
      fn<tensor_storage_info>(env, "tensor_storage_info"),
      fn<zip_open_writer>(env, "zip_open_writer"),
      fn<zip_write_record>(env, "zip_write_record"),
      fn<zip_write_storage>(env, "zip_write_storage"),
      fn<zip_finish_writer>(env, "zip_finish_writer"),
      fn<zip_abort_writer>(env, "zip_abort_writer"),
      fn<zip_writer_archive_name>(env, "zip_writer_archive_name"),
  });
}

}  // namespace tn
