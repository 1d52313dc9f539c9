#!/usr/bin/perl
# maildkim.pl - the Mail::DKIM side of the DomainKeys interop test (tests/interop/dk_maildkim.sh).
#
#   maildkim.pl sign KEYFILE DOMAIN SELECTOR OUTDIR MESSAGE...
#       sign each message with Mail::DKIM (DomainKeys, rsa-sha1) in nofws and simple, with and
#       without h=, writing OUTDIR/NAME.CANON.H.pass.eml and a tampered OUTDIR/...fail.eml
#   maildkim.pl verify RECORD FILE...
#       verify each file with Mail::DKIM::Verifier, answering key lookups with RECORD (the TXT
#       text) instead of DNS; prints "FILE RESULT DETAIL" and exits 1 when a file named
#       *.pass.eml does not pass or a *.fail.eml does not fail.
# Tampering: a line is appended to the body, which changes the hash in both canonicalizations.
use strict;
use warnings;
use Mail::DKIM::Signer;
use Mail::DKIM::DkSignature;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;
use File::Basename qw(basename);

# FakeResolver - answers every TXT query with one record (Net::DNS::Resolver's send()).
package FakeResolver;
sub new { my ($class, $record) = @_; return bless { record => $record }, $class; }
sub send {
    my ($self, $name, $type) = @_;
    my $packet = Net::DNS::Packet->new($name, $type, 'IN');
    my @strings = unpack('(A200)*', $self->{record});
    $packet->push(answer => Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => [@strings]));
    $packet->header->rcode('NOERROR');
    return $packet;
}
sub errorstring { return 'NOERROR'; }

package main;

sub slurp { my ($path) = @_; open(my $fh, '<:raw', $path) or die "$path: $!\n"; local $/; return <$fh>; }
sub spew { my ($path, $data) = @_; open(my $fh, '>:raw', $path) or die "$path: $!\n"; print $fh $data; close $fh; }

sub dk_sign {
    my ($keyfile, $domain, $selector, $canon, $with_h, $message) = @_;
    my $signer = Mail::DKIM::Signer->new(
        KeyFile => $keyfile,
        Policy  => sub {
            my $s = shift;
            $s->add_signature(Mail::DKIM::DkSignature->new(
                Algorithm => 'rsa-sha1', Method => $canon, Domain => $domain,
                Selector => $selector, ($with_h ? (Headers => $s->headers) : ())));
            return;
        });
    $signer->PRINT($message);
    $signer->CLOSE;
    my $sig = $signer->signature or die "Mail::DKIM made no signature\n";
    return $sig->as_string . "\015\012" . $message;
}

sub cmd_sign {
    my ($keyfile, $domain, $selector, $outdir, @messages) = @_;
    for my $path (@messages) {
        my $message = slurp($path);
        (my $name = basename($path)) =~ s/\.eml$//;
        for my $canon (qw(nofws simple)) {
            for my $with_h (0, 1) {
                my $signed = dk_sign($keyfile, $domain, $selector, $canon, $with_h, $message);
                my $base = "$outdir/$name.$canon." . ($with_h ? 'h' : 'all');
                spew("$base.pass.eml", $signed);
                spew("$base.fail.eml", $signed . ($signed =~ /\015\012\z/ ? '' : "\015\012") . "tampered\015\012");
            }
        }
    }
    return 0;
}

sub cmd_verify {
    my ($record, @files) = @_;
    Mail::DKIM::DNS::resolver(FakeResolver->new($record));
    my $bad = 0;
    for my $path (@files) {
        my $v = Mail::DKIM::Verifier->new;
        $v->PRINT(slurp($path));
        $v->CLOSE;
        my @dk = grep { $_->isa('Mail::DKIM::DkSignature') } $v->signatures;
        my $result = @dk ? $dk[0]->result : 'none';
        my $detail = @dk ? ($dk[0]->result_detail // '') : '';
        my $want = $path =~ /\.pass\.eml$/ ? 'pass' : $path =~ /\.fail\.eml$/ ? 'fail' : '';
        my $ok = $want eq '' || $result eq $want;
        $bad++ unless $ok;
        print basename($path), " $result ($detail)", ($ok ? '' : "  <-- expected $want"), "\n";
    }
    return $bad ? 1 : 0;
}

my $cmd = shift @ARGV // '';
exit cmd_sign(@ARGV) if $cmd eq 'sign';
exit cmd_verify(@ARGV) if $cmd eq 'verify';
die "usage: maildkim.pl sign KEYFILE DOMAIN SELECTOR OUTDIR MESSAGE... | verify RECORD FILE...\n";
