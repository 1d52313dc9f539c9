/* opendmarc_eval.c - evaluate DMARC cases with OpenDMARC's library (Debian libopendmarc-dev),
 * the peer of tests/interop/dmarc_peers.sh and bench/run_dmarc.sh.
 *
 * Usage: opendmarc_eval [--dns PORT | --fake RECORDS] [--psl FILE] [--bench ROUNDS] < CASES
 *   --dns PORT      ask the DNS server on 127.0.0.1:PORT (a test's unbound)
 *   --fake RECORDS  answer from opendmarc_dns_fake_record(): lines "NAME TEXT" (no network)
 *   --psl FILE      public suffix list (default Debian's publicsuffix file)
 *   --bench ROUNDS  evaluate every case ROUNDS times and print
 *                   "evaluations N cpu_s S wall_s W pass P fail F other O"
 * CASES: lines "ID FROM SPF_DOMAIN SPF_RESULT DKIM_DOMAIN DKIM_RESULT" ("-" for none, results
 * pass or fail); "#" comments. Output, one line per case: "ID RESULT POLICY", RESULT pass,
 * fail or none (no record) or temperror, POLICY the policy asked for on fail (reject,
 * quarantine, none) else "-". Written for this test suite; links only the library's public
 * API (dmarc.h). */
#include <arpa/inet.h>
#include <opendmarc/dmarc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct test_case {
  char id[64], from[256], spf_domain[256], spf_result[16], dkim_domain[256], dkim_result[16];
};

static int is_none(const char *s) { return strcmp(s, "-") == 0; }

static int spf_code(const char *r) {
  if (strcmp(r, "pass") == 0) return DMARC_POLICY_SPF_OUTCOME_PASS;
  if (strcmp(r, "fail") == 0) return DMARC_POLICY_SPF_OUTCOME_FAIL;
  return DMARC_POLICY_SPF_OUTCOME_NONE;
}

static int dkim_code(const char *r) {
  if (strcmp(r, "pass") == 0) return DMARC_POLICY_DKIM_OUTCOME_PASS;
  if (strcmp(r, "fail") == 0) return DMARC_POLICY_DKIM_OUTCOME_FAIL;
  return DMARC_POLICY_DKIM_OUTCOME_NONE;
}

/* evaluate - one case; writes "RESULT POLICY" into out. */
static void evaluate(const struct test_case *c, char *out, size_t outlen) {
  DMARC_POLICY_T *p = opendmarc_policy_connect_init((u_char *)"192.0.2.1", 0);
  if (p == NULL) {
    snprintf(out, outlen, "error -");
    return;
  }
  opendmarc_policy_store_from_domain(p, (u_char *)c->from);
  if (!is_none(c->spf_domain))
    opendmarc_policy_store_spf(p, (u_char *)c->spf_domain, spf_code(c->spf_result),
                               DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL);
  if (!is_none(c->dkim_domain))
    opendmarc_policy_store_dkim(p, (u_char *)c->dkim_domain, (u_char *)"s1",
                                dkim_code(c->dkim_result), NULL);
  int rc = opendmarc_policy_query_dmarc(p, (u_char *)c->from);
  if (rc == DMARC_DNS_ERROR_TMPERR) {
    snprintf(out, outlen, "temperror -");
  } else if (rc != DMARC_PARSE_OKAY) {
    snprintf(out, outlen, "none -");
  } else {
    switch (opendmarc_get_policy_to_enforce(p)) {
      case DMARC_POLICY_PASS: snprintf(out, outlen, "pass -"); break;
      case DMARC_POLICY_REJECT: snprintf(out, outlen, "fail reject"); break;
      case DMARC_POLICY_QUARANTINE: snprintf(out, outlen, "fail quarantine"); break;
      case DMARC_POLICY_NONE: snprintf(out, outlen, "fail none"); break;
      default: snprintf(out, outlen, "none -"); break;
    }
  }
  opendmarc_policy_connect_shutdown(p);
}

static void load_fake(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    perror(path);
    exit(2);
  }
  char line[2048];
  while (fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') continue;
    char *space = strchr(line, ' ');
    if (space == NULL) continue;
    *space = '\0';
    opendmarc_dns_fake_record(line, space + 1);
  }
  fclose(f);
}

int main(int argc, char **argv) {
  OPENDMARC_LIB_T lib;
  memset(&lib, 0, sizeof lib);
  const char *psl = "/usr/share/publicsuffix/public_suffix_list.dat";
  long rounds = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dns") == 0 && i + 1 < argc) {
      lib.nscount = 1;
      lib.nsaddr_list[0].sin_family = AF_INET;
      lib.nsaddr_list[0].sin_port = htons((unsigned short)atoi(argv[++i]));
      inet_pton(AF_INET, "127.0.0.1", &lib.nsaddr_list[0].sin_addr);
    } else if (strcmp(argv[i], "--fake") == 0 && i + 1 < argc) {
      load_fake(argv[++i]);
    } else if (strcmp(argv[i], "--psl") == 0 && i + 1 < argc) {
      psl = argv[++i];
    } else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) {
      rounds = atol(argv[++i]);
    } else {
      fprintf(stderr, "usage: %s [--dns PORT | --fake RECORDS] [--psl FILE] [--bench N]\n", argv[0]);
      return 2;
    }
  }
  lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
  snprintf((char *)lib.tld_source_file, sizeof lib.tld_source_file, "%s", psl);
  if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY) {
    fprintf(stderr, "opendmarc_policy_library_init failed\n");
    return 2;
  }
  static struct test_case cases[4096];
  size_t n = 0;
  char line[2048];
  while (n < sizeof cases / sizeof cases[0] && fgets(line, sizeof line, stdin) != NULL) {
    if (line[0] == '#' || line[0] == '\n') continue;
    struct test_case *c = &cases[n];
    if (sscanf(line, "%63s %255s %255s %15s %255s %15s", c->id, c->from, c->spf_domain,
               c->spf_result, c->dkim_domain, c->dkim_result) == 6)
      n++;
  }
  char out[64];
  if (rounds <= 0) {
    for (size_t i = 0; i < n; i++) {
      evaluate(&cases[i], out, sizeof out);
      printf("%s %s\n", cases[i].id, out);
    }
  } else {
    struct timespec c0, c1, w0, w1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_MONOTONIC, &w0);
    long pass = 0, fail = 0, other = 0;
    for (long r = 0; r < rounds; r++)
      for (size_t i = 0; i < n; i++) {
        evaluate(&cases[i], out, sizeof out);
        if (strncmp(out, "pass", 4) == 0) pass++;
        else if (strncmp(out, "fail", 4) == 0) fail++;
        else other++;
      }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    printf("evaluations %ld cpu_s %.6f wall_s %.6f pass %ld fail %ld other %ld\n",
           rounds * (long)n, (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9,
           (w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) / 1e9, pass, fail, other);
  }
  opendmarc_policy_library_shutdown(&lib);
  return 0;
}
