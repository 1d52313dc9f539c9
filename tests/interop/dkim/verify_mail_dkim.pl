#!/usr/bin/perl
# verify_mail_dkim.pl DNSFILE EXPECT MSG... - verify the rsa-sha256 signatures with Mail::DKIM.
#
# DNSFILE lines are "NAME TXT-VALUE"; Mail::DKIM::DNS::query is replaced by a lookup in that
# table (no network). EXPECT "pass": every rsa-sha256 signature passes; "fail": none does.
# Exits 1 if any message is not as expected.
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

my ($zone_file, $expect, @messages) = @ARGV;
my %zone;
open(my $z, '<', $zone_file) or die "cannot read $zone_file: $!\n";
while (my $line = <$z>) {
    chomp $line;
    next unless length $line;
    my ($name, $value) = split / /, $line, 2;
    $name = lc $name;
    $name =~ s/\.$//;
    $zone{$name} = $value;
}
close $z;

{
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($domain, $type) = @_;
        my $name = lc $domain;
        $name =~ s/\.$//;
        my $value = $zone{$name};
        if (!defined $value || uc $type ne 'TXT') { $@ = 'NXDOMAIN'; return; }
        my @strings = unpack('(A255)*', $value);
        return Net::DNS::RR->new(owner => $name, type => 'TXT', txtdata => \@strings);
    };
}

my $bad = 0;
for my $path (@messages) {
    open(my $fh, '<:raw', $path) or die "cannot read $path: $!\n";
    my $dkim = Mail::DKIM::Verifier->new();
    # Every line is fed CRLF-terminated, the last one too: that is how the message travels
    # over SMTP, and RFC 6376 3.4.3/3.4.4 canonicalize a missing final CRLF as present.
    # (Mail::DKIM's "simple" body drops an unterminated last line instead.)
    while (my $chunk = <$fh>) {
        $chunk =~ s/\r?\n?\z/\r\n/;
        $dkim->PRINT($chunk);
    }
    close $fh;
    $dkim->CLOSE();
    my @rsa = grep { $_->algorithm eq 'rsa-sha256' } $dkim->signatures;
    my @results = map { $_->result . ($_->result_detail ? " (" . $_->result_detail . ")" : '') } @rsa;
    my $passed = grep { $_->result eq 'pass' } @rsa;
    my $ok = @rsa && ($expect eq 'pass' ? $passed == @rsa : $passed == 0);
    print "$path: Mail::DKIM [@results] ", ($ok ? "ok" : "UNEXPECTED (wanted $expect)"), "\n";
    $bad++ unless $ok;
}
exit($bad ? 1 : 0);
