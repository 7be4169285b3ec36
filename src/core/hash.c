/* hash.c: SHA-256 through libcrypto's EVP interface (see hash.h for why not libsodium). */
#include "core/hash.h"

#include <openssl/evp.h>
#include <stdlib.h>

void hash_sha256(const void *p, size_t n, unsigned char out[HASH_SHA256_BYTES])
{
    unsigned int len = HASH_SHA256_BYTES;
    /* EVP_Digest fails only when out of memory for its context; nothing sensible remains. */
    if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL))
        abort();
}

void hash_sha256_hex(const void *p, size_t n, char out[HASH_SHA256_HEX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[HASH_SHA256_BYTES];
    hash_sha256(p, n, h);
    for (int i = 0; i < HASH_SHA256_BYTES; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[2 * HASH_SHA256_BYTES] = '\0';
}
