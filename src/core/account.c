/* account.c: what an account's secrets and names must be: Argon2id password hashes, the
 * password and name rules, random tokens and the hashes the store keeps instead of them.
 * Used by the web (sign-up, login, sessions) and the CLI (demo data, `ficd user`). */
#include "core/account.h"
#include "core/err.h"
#include "core/hash.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

void token_new(char out[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out, 65, raw, sizeof(raw));
}

void token_hash(const char *token, char out[65])
{
    hash_sha256_hex(token, strlen(token), out);
}

int password_hash(const char *pw, char out[128])
{
    /* OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1 (libsodium uses one lane). */
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), 2, (size_t)19 << 20,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return FICD_ENOMEM;
    return 0;
}

int password_verify(const char *hash, const char *pw)
{
    if (!hash || !*hash || !pw)
        return 0;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

const char *password_problem(const char *pw, const char *confirm)
{
    if (!pw || !*pw)
        return "Enter a password.";
    size_t n = strlen(pw);
    if (n < PASSWORD_MIN)
        return "The password is too short: use at least 8 characters.";
    if (n > PASSWORD_MAX)
        return "The password is too long: use at most 1024 characters.";
    if (confirm && strcmp(pw, confirm) != 0)
        return "The two passwords do not match.";
    return NULL;
}

const char *name_problem(const char *name)
{
    if (!name || !*name)
        return "Enter a name.";
    size_t n = strlen(name);
    if (n < 2 || n > 40)
        return "Names are 2 to 40 characters long.";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '-')
            return "Names may use only letters, digits, '_' and '-'.";
    }
    return NULL;
}
