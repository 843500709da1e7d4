// zlib (Debian: zlib1g-dev): gzip for compressed database snapshots (`ftlab pack`).
#include <zlib.h>
