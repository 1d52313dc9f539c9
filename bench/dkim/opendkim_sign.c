/* opendkim_sign.c - the peer figures for bench/run_dkim.sh: libopendkim signing and
 * verifying throughput.
 *
 * Usage: opendkim_sign RSA_PEM ED25519_PEM KEYS_FILE MESSAGE...
 * Signs each message (relaxed/relaxed, the same messages dkim_bench signs; selectors "rsa"
 * and "ed" of example.com) with rsa-sha256, ed25519-sha256 and both (two handles:
 * libopendkim has no shared body hash), then verifies the message it signed (one handle for
 * all signatures; every signature must pass), keys looked up in KEYS_FILE (libopendkim's
 * DKIM_QUERY_FILE method: "NAME RECORD" lines, read per lookup, standing in for DNS), in a
 * plain timing loop on one thread, median of RUNS runs of about RUN_SECONDS each, and prints
 * "opendkim_sign_KEYSET_SIZEk RATE msg/s" and "opendkim_verify_KEYSET_SIZEk RATE msg/s"
 * lines. Written for this project against libopendkim-dev's <opendkim/dkim.h>.
 */
#include <opendkim/dkim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5
#define RUN_SECONDS 0.6
#define MAX_FIELDS 256
#define MAX_SIG 4096

struct message {
  char *text;
  size_t size;
  char *fields[MAX_FIELDS]; /* each field without its final CRLF */
  size_t lengths[MAX_FIELDS];
  int nfields;
  char *body;
  size_t body_len;
};

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
  buf[n] = '\0';
  fclose(f);
  *size = (size_t)n;
  return buf;
}

/* split - header fields (folded lines joined) and the body. */
static void split(struct message *m) {
  char *p = m->text, *end = strstr(m->text, "\r\n\r\n");
  m->nfields = 0;
  while (p < end + 2 && m->nfields < MAX_FIELDS) {
    char *q = p;
    for (;;) {
      char *eol = strstr(q, "\r\n");
      if (eol[2] != ' ' && eol[2] != '\t') { q = eol; break; }
      q = eol + 2;
    }
    m->fields[m->nfields] = p;
    m->lengths[m->nfields++] = (size_t)(q - p);
    p = q + 2;
  }
  m->body = end + 4;
  m->body_len = m->size - (size_t)(m->body - m->text);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time, like openssl speed */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sign_one - sign; when `field` is not NULL, store "DKIM-Signature: ..." there (CRLF folds). */
static int sign_one(DKIM_LIB *lib, const struct message *m, const char *key, dkim_alg_t alg, char *field) {
  DKIM_STAT st;
  const char *selector = alg == DKIM_SIGN_ED25519SHA256 ? "ed" : "rsa";
  DKIM *d = dkim_sign(lib, (const unsigned char *)"bench", NULL, (dkim_sigkey_t)key,
                      (const unsigned char *)selector, (const unsigned char *)"example.com",
                      DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, alg, -1, &st);
  if (d == NULL) return -1;
  for (int i = 0; i < m->nfields; i++) dkim_header(d, (u_char *)m->fields[i], m->lengths[i]);
  dkim_eoh(d);
  dkim_body(d, (u_char *)m->body, m->body_len);
  st = dkim_eom(d, NULL);
  u_char *hdr = NULL;
  size_t len = 0;
  if (st == DKIM_STAT_OK) st = dkim_getsighdr_d(d, strlen("DKIM-Signature: "), &hdr, &len);
  if (st == DKIM_STAT_OK && field != NULL) {
    size_t o = (size_t)sprintf(field, "DKIM-Signature: ");
    for (size_t i = 0; i < len && o + 3 < MAX_SIG; i++) {
      if (hdr[i] == '\n' && (i == 0 || hdr[i - 1] != '\r')) field[o++] = '\r';
      field[o++] = (char)hdr[i];
    }
    field[o] = '\0';
  }
  dkim_free(d);
  return st == DKIM_STAT_OK ? 0 : -1;
}

/* verify_one - verify a message carrying `nsigs` signature fields; 0 when all pass. */
static int verify_one(DKIM_LIB *lib, const struct message *m, char sigs[][MAX_SIG], int nsigs) {
  DKIM_STAT st;
  DKIM *d = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
  if (d == NULL) return -1;
  for (int i = 0; i < nsigs; i++) dkim_header(d, (u_char *)sigs[i], strlen(sigs[i]));
  for (int i = 0; i < m->nfields; i++) dkim_header(d, (u_char *)m->fields[i], m->lengths[i]);
  dkim_eoh(d);
  dkim_body(d, (u_char *)m->body, m->body_len);
  st = dkim_eom(d, NULL);
  DKIM_SIGINFO **list = NULL;
  int n = 0, ok = st == DKIM_STAT_OK && dkim_getsiglist(d, &list, &n) == DKIM_STAT_OK && n == nsigs;
  for (int i = 0; ok && i < n; i++) ok = DKIM_SIG_CHECK(list[i]);
  dkim_free(d);
  return ok ? 0 : -1;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* median_rate - which: 1 rsa, 2 ed25519, 3 both; plus 4: verify `sigs` instead of signing. */
static double median_rate(DKIM_LIB *lib, const struct message *m, const char *rsa, const char *ed, int which,
                          char sigs[][MAX_SIG], int nsigs) {
  double rates[RUNS];
  for (int r = 0; r < RUNS; r++) {
    double start = now(), elapsed;
    long n = 0;
    do {
      if (which & 4) {
        if (verify_one(lib, m, sigs, nsigs) != 0) return -1;
      } else {
        if ((which & 1) && sign_one(lib, m, rsa, DKIM_SIGN_RSASHA256, NULL) != 0) return -1;
        if ((which & 2) && sign_one(lib, m, ed, DKIM_SIGN_ED25519SHA256, NULL) != 0) return -1;
      }
      n++;
      elapsed = now() - start;
    } while (elapsed < RUN_SECONDS);
    rates[r] = (double)n / elapsed;
  }
  qsort(rates, RUNS, sizeof rates[0], cmp);
  return rates[RUNS / 2];
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s RSA_PEM ED25519_PEM KEYS_FILE MESSAGE...\n", argv[0]);
    return 64;
  }
  size_t ignored;
  char *rsa = read_file(argv[1], &ignored), *ed = read_file(argv[2], &ignored);
  DKIM_LIB *lib = dkim_init(NULL, NULL);
  dkim_query_t qtype = DKIM_QUERY_FILE;
  if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &qtype, sizeof qtype) != DKIM_STAT_OK ||
      dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, argv[3], strlen(argv[3])) != DKIM_STAT_OK) {
    fprintf(stderr, "opendkim_sign: cannot set the file query method\n");
    return 1;
  }
  static char sigs[2][MAX_SIG];
  static const char *names[] = {"", "rsa2048", "ed25519", "dual"};
  for (int i = 4; i < argc; i++) {
    struct message m;
    m.text = read_file(argv[i], &m.size);
    split(&m);
    for (int which = 1; which <= 3; which++) {
      double rate = median_rate(lib, &m, rsa, ed, which, NULL, 0);
      if (rate < 0) {
        printf("opendkim_sign_%s_%zuk n/a msg/s\n", names[which], (m.size + 512) / 1024);
      } else {
        printf("opendkim_sign_%s_%zuk %.1f msg/s\n", names[which], (m.size + 512) / 1024, rate);
      }
      fflush(stdout);
    }
    for (int which = 1; which <= 3; which++) {
      int nsigs = 0, bad = 0;
      if (which & 1) bad |= sign_one(lib, &m, rsa, DKIM_SIGN_RSASHA256, sigs[nsigs++]);
      if (which & 2) bad |= sign_one(lib, &m, ed, DKIM_SIGN_ED25519SHA256, sigs[nsigs++]);
      double rate = bad ? -1 : median_rate(lib, &m, rsa, ed, which | 4, sigs, nsigs);
      if (rate < 0) {
        printf("opendkim_verify_%s_%zuk n/a msg/s\n", names[which], (m.size + 512) / 1024);
      } else {
        printf("opendkim_verify_%s_%zuk %.1f msg/s\n", names[which], (m.size + 512) / 1024, rate);
      }
      fflush(stdout);
    }
    free(m.text);
  }
  dkim_close(lib);
  return 0;
}
