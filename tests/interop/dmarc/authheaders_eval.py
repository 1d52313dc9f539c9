#!/usr/bin/python3
"""authheaders_eval.py - evaluate DMARC cases with python3-authheaders (Debian), the peer of
tests/interop/dmarc_peers.sh. Written for this test suite.

Usage: authheaders_eval.py PORT < CASES
CASES: lines "ID FROM SPF_DOMAIN SPF_RESULT DKIM_DOMAIN DKIM_RESULT" ("-" for none; FROM may
list several domains separated by commas: one From field with one mailbox per domain).
Output, one line per case: "ID RESULT POLICY" (RESULT pass, fail or none; POLICY the
record's policy for the From domain on fail, else "-"). authheaders asks DNS through
dnspython; its resolver is pointed at 127.0.0.1:PORT (the test's unbound) by replacing the
module's query function, so its own discovery (RFC 7489: the From domain, then its public
suffix list Organizational Domain) runs unchanged.
"""
import sys

import dns.resolver
import authheaders
import authheaders.dmarc_lookup as lookup
from authres import DKIMAuthenticationResult, SPFAuthenticationResult


def main():
    port = int(sys.argv[1])
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = port
    resolver.lifetime = 5

    def query(name, qtype="TXT"):
        return resolver.resolve(name, qtype, search=False)

    lookup.query = query
    for line in sys.stdin:
        fields = line.split()
        if len(fields) < 6 or fields[0].startswith("#"):
            continue
        case, from_domains, spf_domain, spf_res, dkim_domain, dkim_res = fields[:6]
        spf = None
        if spf_domain != "-":
            spf = SPFAuthenticationResult(result=spf_res, smtp_mailfrom="postmaster@" + spf_domain)
        dkim = None
        if dkim_domain != "-":
            dkim = DKIMAuthenticationResult(result=dkim_res, header_d=dkim_domain)
        froms = ", ".join("user@" + d for d in from_domains.split(","))
        msg = ("From: %s\r\nTo: r@example.org\r\nSubject: interop\r\n\r\nbody\r\n" % froms).encode()
        try:
            res = authheaders.check_dmarc(msg, spf_result=spf, dkim_result=dkim)
            result = res.result
            policy = getattr(res, "policy", None) or "-"
        except Exception as e:  # a crash of the peer is an answer too
            result, policy = "error", type(e).__name__
            print("%s: %r" % (case, e), file=sys.stderr)
        if result not in ("fail", "error"):
            policy = "-"
        print("%s %s %s" % (case, result, policy))


if __name__ == "__main__":
    main()
