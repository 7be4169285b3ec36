/* test_hash.c: SHA-256 known answers (FIPS 180-2 examples) and agreement with libsodium's. */
#include "core/hash.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void test_known_answers(void **state)
{
    (void)state;
    char hex[HASH_SHA256_HEX];
    hash_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The stored content hashes of works imported before the switch from libsodium stay valid:
 * both give the same digest, whatever the length and alignment. */
static void test_same_as_libsodium(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    size_t cap = 70000;
    unsigned char *buf = malloc(cap + 16);
    assert_non_null(buf);
    randombytes_buf(buf, cap + 16);
    size_t lens[] = {1, 55, 56, 63, 64, 65, 1000, 4096, 65537, cap};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        for (size_t off = 0; off < 16; off += 5) {
            unsigned char a[HASH_SHA256_BYTES], b[crypto_hash_sha256_BYTES];
            hash_sha256(buf + off, lens[i], a);
            crypto_hash_sha256(b, buf + off, lens[i]);
            assert_memory_equal(a, b, sizeof(a));
        }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_same_as_libsodium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
