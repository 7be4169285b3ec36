/* account.h: account secrets and names, shared by the web and the CLI: Argon2id password
 * hashing, password and name rules, random tokens and their stored hashes. */
#ifndef FICD_ACCOUNT_H
#define FICD_ACCOUNT_H

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

/* 32 random bytes as 64 hex characters. */
void token_new(char out[65]);
/* Hex SHA-256 of a token: what the store keeps instead of the token. */
void token_hash(const char *token, char out[65]);

/* Argon2id (crypto_pwhash_str_alg, ALG_ARGON2ID13) with OWASP's minimum: opslimit 2,
 * memlimit 19 MiB. out must hold 128 bytes. FICD_ENOMEM when hashing fails. */
int password_hash(const char *pw, char out[128]);
/* 1 when pw matches the encoded hash, else 0. */
int password_verify(const char *hash, const char *pw);
/* A message naming what is wrong with a new password, or NULL when acceptable. */
const char *password_problem(const char *pw, const char *confirm);
/* A message naming what is wrong with an account or pseud name, or NULL. Names are 2-40
 * letters, digits, '_' or '-'. */
const char *name_problem(const char *name);

#endif
