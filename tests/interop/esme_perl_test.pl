#!/usr/bin/perl
# Perl Net::SMPP (libnet-smpp-perl) as an ESME against ussdgw's SMPP server: bind as
# transceiver, submit_sm (GSM and UCS2, with TLVs), enquire_link, unbind; a wrong
# password and an unknown system_id are refused alike (ESME_RBINDFAIL). Drives the real
# binary with a temporary config on a free port.
#   perl esme_perl_test.pl /path/to/ussdgw
use strict;
use warnings;
use Net::SMPP;
use IO::Socket::INET;
use File::Temp qw(tempdir);
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

my $ussdgw = shift or die "usage: $0 USSDGW_BINARY\n";
$ussdgw = abs_path($ussdgw) // $ussdgw;
alarm 60;    # the whole test, whatever happens
$SIG{ALRM} = sub { print "FAIL overall limit of 60 s reached\n"; cleanup(); exit 1; };

my ($checks, $failures) = (0, 0);
sub check {
    my ($cond, $what) = @_;
    $checks++;
    if ($cond) { print "ok   $what\n" } else { $failures++; print "FAIL $what\n" }
    return $cond;
}

# A port that was free a moment ago.
my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp') or die "probe: $!";
my $port = $probe->sockport;
close $probe;

my $root = dirname(dirname(dirname(abs_path(__FILE__))));
my $dir = tempdir('ussdgw-perl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
open my $cf, '>', "$dir/ussdgw.toml" or die $!;
print $cf <<"EOF";
[log]
level = "info"

[smpp.server]
enabled = true
listen = "127.0.0.1:$port"

[[smpp.server.account]]
system_id = "perl"
password = "perlpw"
bind_types = ["transceiver", "transmitter"]

[menus]
directory = "$root/menus/cabinet"

[http]
listen = "127.0.0.1:0"

[storage]
database = "$dir/ussdgw.db"
key_file = "$dir/storage.key"
argon2_memlimit = 8388608
EOF
close $cf;

my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
    open STDOUT, '>', "$dir/ussdgw.log";
    open STDERR, '>&', \*STDOUT;
    chdir $dir;
    exec $ussdgw, '--config', "$dir/ussdgw.toml", 'run' or die "exec: $!";
}

sub cleanup {
    return unless $pid;
    kill 'TERM', $pid;
    my $until = time + 10;
    while (time < $until) {
        return $pid = 0 if waitpid($pid, WNOHANG) != 0;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    $pid = 0;
}

sub show_log {
    if (open my $l, '<', "$dir/ussdgw.log") { print "--- ussdgw log\n", <$l>; }
}

# Wait until the server accepts connections (or ussdgw has exited).
my $up = 0;
for (1 .. 500) {
    last if waitpid($pid, WNOHANG) != 0;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp');
    if ($s) { close $s; $up = 1; last }
    sleep 0.02;
}
unless (check($up, "ussdgw listens on 127.0.0.1:$port")) {
    show_log();
    cleanup();
    exit 1;
}

# Wrong password.
{
    my ($bad, $resp) = Net::SMPP->new_transceiver('127.0.0.1', port => $port, system_id => 'perl',
                                                  password => 'wrong', timeout => 5);
    check($bad && $resp && $resp->{status} == 0x0D, 'wrong password -> ESME_RBINDFAIL');
    close $bad if $bad;
}
# Unknown system_id: the same answer (accounts cannot be enumerated).
{
    my ($bad, $resp) = Net::SMPP->new_transceiver('127.0.0.1', port => $port, system_id => 'nobody',
                                                  password => 'perlpw', timeout => 5);
    check($bad && $resp && $resp->{status} == 0x0D, 'unknown system_id -> ESME_RBINDFAIL too');
    close $bad if $bad;
}

my ($smpp, $resp) = Net::SMPP->new_transceiver('127.0.0.1', port => $port, system_id => 'perl',
                                               password => 'perlpw', interface_version => 0x34,
                                               timeout => 5);
check($smpp && $resp && $resp->{status} == 0, 'bind_transceiver accepted') or do {
    show_log();
    cleanup();
    exit 1;
};
check(defined $resp->{system_id} && length $resp->{system_id}, "bind_resp system_id '$resp->{system_id}'");

# The listener does not serve submit_sm yet: each one is answered, refused for good with
# ESME_RINVSERTYP (0x15) and no message id, never accepted and dropped.
# GSM text with a user_message_reference TLV.
$resp = $smpp->submit_sm(source_addr_ton => 5, source_addr => 'Perl', dest_addr_ton => 1,
                         dest_addr_npi => 1, destination_addr => '375291234567',
                         data_coding => 0, registered_delivery => 1,
                         short_message => 'Hello from Net::SMPP',
                         user_message_reference => pack('n', 4242));
check($resp && $resp->{status} == 0x15 && !length($resp->{message_id} // ''),
      'submit_sm (GSM, TLV) refused with ESME_RINVSERTYP');

# UCS2 (Cyrillic) text.
my $ucs2 = pack('n*', map { ord } split //, "\x{0412}\x{0430}\x{0448} \x{043F}\x{0430}\x{0440}\x{043E}\x{043B}\x{044C}");
$resp = $smpp->submit_sm(source_addr => 'Perl', destination_addr => '375291234568',
                         data_coding => 8, short_message => $ucs2);
check($resp && $resp->{status} == 0x15, 'submit_sm (UCS2) refused with ESME_RINVSERTYP');

# A USSD-style submit with ussd_service_op and its_session_info.
$resp = $smpp->submit_sm(service_type => 'USSD', source_addr => '141',
                         destination_addr => '375291234567', short_message => 'Menu',
                         ussd_service_op => pack('C', 17), its_session_info => pack('CC', 7, 1));
check($resp && $resp->{status} == 0x15, 'submit_sm (USSD TLVs) refused with ESME_RINVSERTYP');

$resp = $smpp->enquire_link();
check($resp && $resp->{status} == 0 && $resp->{cmd} == 0x80000015, 'enquire_link answered');

$resp = $smpp->unbind();
check($resp && $resp->{status} == 0 && $resp->{cmd} == 0x80000006, 'unbind answered with unbind_resp');
close $smpp;

# The engine keeps serving after the session ended.
my ($again, $r2) = Net::SMPP->new_transmitter('127.0.0.1', port => $port, system_id => 'perl',
                                              password => 'perlpw', timeout => 5);
check($again && $r2 && $r2->{status} == 0, 'bind_transmitter again after unbind');
if ($again) {
    my $u = $again->unbind();
    check($u && $u->{status} == 0, 'second unbind answered');
    close $again;
}

kill 'TERM', $pid;
my $status = -1;
for (1 .. 500) {
    if (waitpid($pid, WNOHANG) != 0) { $status = $?; $pid = 0; last }
    sleep 0.02;
}
check($status == 0, 'ussdgw exits 0 on SIGTERM');
show_log() if $failures;
cleanup();
print "esme_perl: ", $checks - $failures, "/$checks checks passed\n";
exit($failures ? 1 : 0);
