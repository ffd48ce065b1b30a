# node-gyp build of the same addon, for tooling that expects binding.gyp.
# cmake-js (CMakeLists.txt) is the primary build; sources and LibTorch facts
# come from there and from scripts/libtorch.js through scripts/gyp-config.js.
{
  "targets": [{
    "target_name": "torch_node",
    "sources": ["<!@(node scripts/gyp-config.js sources)"],
    "include_dirs": ["<!@(node scripts/gyp-config.js include_dirs)"],
    "defines": ["NODE_GYP_MODULE_NAME=torch_node", "<!@(node scripts/gyp-config.js defines)"],
    "libraries": ["<!@(node scripts/gyp-config.js libraries)"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
    "conditions": [
      ["OS=='linux'", {
        "ldflags": ["-Wl,-rpath,<!(node scripts/gyp-config.js libdir)", "-Wl,-z,now"]
      }],
      ["OS=='mac'", {
        "xcode_settings": {
          "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
          "GCC_ENABLE_CPP_RTTI": "YES",
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
          "MACOSX_DEPLOYMENT_TARGET": "11.0",
          "OTHER_LDFLAGS": ["-Wl,-rpath,@loader_path", "-Wl,-rpath,<!(node scripts/gyp-config.js libdir)"]
        }
      }],
      ["OS=='win'", {
        "msvs_settings": {
          "VCCLCompilerTool": { "ExceptionHandling": 1, "RuntimeTypeInfo": "true", "AdditionalOptions": ["/std:c++17", "/permissive-", "/Zc:__cplusplus"] }
        }
      }]
    ]
  }]
}
