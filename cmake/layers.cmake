# The layers of Tessera, lowest first: one folder, one static library
# (tsr_<name>) each.  A layer may include the headers of, and link to, the
# layers it names and everything those may use; never a layer above it.
# CMakeLists.txt builds the libraries from this table and
# scripts/check-layers.sh reads the same lines to check every #include
# (docs/architecture.md, "Layers").  One call per line:
#   tsr_layer(<name> <folder or file> [<layer it may use> ...])
#   tsr_layer_headers(<name> <folder>): more headers of that layer
#   tsr_layer_only_header(<header> <layer> ...): a library only those layers include
# A header spelled "x/y.h" is looked up in src/, then lib/, then include/.

tsr_layer(libutil lib/util)
# libcurl loaded on first use: the curl_* functions of the server and CLI,
# lib/verify's included (libtessera-verify itself links libcurl).
tsr_layer(curldl  src/curldl)
tsr_layer(jose    lib/jose    libutil)
tsr_layer(verify  lib/verify  jose curldl)
tsr_layer_headers(verify include/tessera)
tsr_layer(util    src/util    libutil)
tsr_layer(config  src/config  util)
tsr_layer(store   src/store   util)
tsr_layer(core    src/core    store config jose curldl)
tsr_layer(http    src/http    core)
tsr_layer(page    src/page    http)
tsr_layer(authn   src/authn   page)
tsr_layer(login   src/login   authn)
tsr_layer(mgmt    src/mgmt    http)
tsr_layer(server  src/server  login mgmt)
tsr_layer(cli     src/cli     server verify)
tsr_layer(main    src/main.c  cli)

# The HTTP library stays in the daemon; the request model above core is its own.
tsr_layer_only_header(microhttpd.h server)
