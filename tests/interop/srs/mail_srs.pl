#!/usr/bin/perl
# mail_srs.pl - Mail::SRS (Debian libmail-srs-perl) as a line-oriented peer for the interop test.
# Usage: mail_srs.pl NOW SEPARATOR HASHLEN ALIAS SECRET [SECRET...] < lines "forward|reverse<TAB>address"
# Prints one line per input: "OK:<address>" or "ERR:<message>". The clock is pinned to NOW.
use strict;
use warnings;
our $NOW;
BEGIN { $NOW = $ARGV[0]; *CORE::GLOBAL::time = sub () { $NOW }; }
use Mail::SRS;
my ($now, $sep, $hashlen, $alias, @secrets) = @ARGV;
my $srs = Mail::SRS->new(Secret => [@secrets], MaxAge => 21, HashLength => $hashlen,
                         HashMin => $hashlen, Separator => $sep);
$| = 1;
while (my $line = <STDIN>) {
    chomp $line;
    my ($op, $addr) = split /\t/, $line, 2;
    my $out = eval { $op eq 'forward' ? $srs->forward($addr, $alias) : $srs->reverse($addr) };
    if ($@) { my $e = $@; $e =~ s/\s+/ /g; print "ERR:$e\n"; }
    else { print "OK:$out\n"; }
}
