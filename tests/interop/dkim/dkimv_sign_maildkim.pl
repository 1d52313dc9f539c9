#!/usr/bin/perl
# dkimv_sign_maildkim.pl - sign a message with Mail::DKIM::Signer (RSA) for
# tests/interop/dkim_verify_peers.sh.
#
# Usage: dkimv_sign_maildkim.pl KEYFILE CANON < message > signed
# CANON is "simple" or "relaxed" (used for header and body); d=example.com, s=rsa,
# rsa-sha256. Input must have CRLF line ends; output is the signature field + the message.
use strict;
use warnings;
use Mail::DKIM::PrivateKey;
use Mail::DKIM::Signer;

my ($keyfile, $canon) = @ARGV;
die "usage: $0 KEYFILE simple|relaxed\n" unless $keyfile && $canon;
binmode STDIN;
binmode STDOUT;
my $message = do { local $/; <STDIN> };
my $signer = Mail::DKIM::Signer->new(
    Algorithm => 'rsa-sha256',
    Method    => "$canon/$canon",
    Domain    => 'example.com',
    Selector  => 'rsa',
    Key       => Mail::DKIM::PrivateKey->load(File => $keyfile),
    Headers   => 'from:to:subject:date:message-id',
);
$signer->PRINT($message);
$signer->CLOSE;
print $signer->signature->as_string, "\r\n", $message;
