#!/usr/bin/perl
# A small SMSC on Net::SMPP (Debian: libnet-smpp-perl), an SMPP implementation that shares
# no code with the `smpp` npm package, for the plugin's interop tests.
#
# Prints "LISTENING <port>" once ready, then one line per event on stdout:
#   BIND <conn> <command> <system_id> <interface_version hex>
#   SUBMIT <conn> <message_id> <esm_class> <data_coding> <registered_delivery> <src_ton>
#          <src> <dst_ton> <dst> <short_message hex|-> <message_payload hex|->
#          <sar "ref/total/seq"|->
#   ENQUIRE <conn> | ENQUIRE_RESP <conn> <seq> | UNBIND <conn> | UNBIND_RESP <conn>
#   DELIVER_RESP <conn> <seq> <status> | CLOSED <conn> | SENT <what> <conn> <seq>
# Reads commands on stdin (one per line):
#   MO <conn> <src> <dst> <data_coding> <hex>   deliver_sm, esm_class 0
#   ENQUIRE <conn>                              send enquire_link
#   UNBIND <conn>                               send unbind
# A submit_sm with registered_delivery bit 0 set gets a delivery receipt (text form plus
# receipted_message_id / message_state TLVs) on the same connection, or on a receiver bind
# when the submit came on a transmitter. Message ids: submit_sm_resp writes them upper-case
# hex with leading zeros, receipts lower-case without: the client has to canonicalise.
# Binds need system_id "maskline", password "secret" (else ESME_RINVPASWD).
use strict;
use warnings;
use IO::Select;
use Net::SMPP;

$| = 1;
my $listener = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34)
  or die "listen failed: $!";
print 'LISTENING ', $listener->sockport, "\n";

my $select = IO::Select->new($listener, \*STDIN);
my %conns;    # id => { sock, mode }
my %by_sock;  # stringified socket => id
my $next_conn = 0;
my $next_id = 0xA0;
my $stdin_buffer = '';

sub emit { print join(' ', @_), "\n"; }
sub hex_or_dash { my ($v) = @_; return (defined $v && length $v) ? unpack('H*', $v) : '-'; }

sub receiver_for {
  my ($conn) = @_;
  return $conn if $conns{$conn} && $conns{$conn}{mode} eq 'transceiver';
  for my $id (sort { $a <=> $b } keys %conns) {
    return $id if $conns{$id}{mode} eq 'receiver';
  }
  return undef;
}

sub send_receipt {
  my ($conn, $pdu, $message_id) = @_;
  my $target = receiver_for($conn);
  return unless defined $target;
  my $receipt_id = lc(sprintf('%x', hex($message_id)));
  my $text = "id:$receipt_id sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:";
  my $seq = $conns{$target}{sock}->deliver_sm(
    async               => 1,
    source_addr_ton     => $pdu->{dest_addr_ton},
    source_addr_npi     => $pdu->{dest_addr_npi},
    source_addr         => $pdu->{destination_addr},
    dest_addr_ton       => $pdu->{source_addr_ton},
    dest_addr_npi       => $pdu->{source_addr_npi},
    destination_addr    => $pdu->{source_addr},
    esm_class           => 0x04,
    data_coding         => 0,
    short_message       => $text,
    receipted_message_id => "$receipt_id\0",
    message_state       => chr(2),
  );
  emit('SENT', 'RECEIPT', $target, $seq);
}

sub on_pdu {
  my ($conn, $pdu) = @_;
  my $sock = $conns{$conn}{sock};
  my $cmd = $pdu->{cmd};
  if ($cmd == 0x00000009 || $cmd == 0x00000002 || $cmd == 0x00000001) {
    my $mode = $cmd == 0x09 ? 'transceiver' : $cmd == 0x02 ? 'transmitter' : 'receiver';
    my $ok = ($pdu->{system_id} // '') eq 'maskline' && ($pdu->{password} // '') eq 'secret';
    emit('BIND', $conn, "bind_$mode", $pdu->{system_id} // '', sprintf('%02x', $pdu->{interface_version} // 0));
    my $resp = $cmd == 0x09 ? 'bind_transceiver_resp' : $cmd == 0x02 ? 'bind_transmitter_resp' : 'bind_receiver_resp';
    $sock->$resp(seq => $pdu->{seq}, status => ($ok ? 0 : 0x0E), system_id => 'NETSMPP');
    $conns{$conn}{mode} = $mode if $ok;
  } elsif ($cmd == 0x00000004) {
    my $message_id = sprintf('%08X', $next_id++);
    my $sar = defined $pdu->{sar_msg_ref_num}
      ? join('/', unpack('n', $pdu->{sar_msg_ref_num}), ord($pdu->{sar_total_segments}), ord($pdu->{sar_segment_seqnum}))
      : '-';
    emit('SUBMIT', $conn, $message_id, $pdu->{esm_class}, $pdu->{data_coding}, $pdu->{registered_delivery},
      $pdu->{source_addr_ton}, $pdu->{source_addr} || '-', $pdu->{dest_addr_ton}, $pdu->{destination_addr},
      hex_or_dash($pdu->{short_message}), hex_or_dash($pdu->{message_payload}), $sar);
    $sock->submit_sm_resp(seq => $pdu->{seq}, message_id => $message_id);
    send_receipt($conn, $pdu, $message_id) if ($pdu->{registered_delivery} & 1);
  } elsif ($cmd == 0x00000015) {
    emit('ENQUIRE', $conn);
    $sock->enquire_link_resp(seq => $pdu->{seq});
  } elsif ($cmd == 0x80000015) {
    emit('ENQUIRE_RESP', $conn, $pdu->{seq});
  } elsif ($cmd == 0x00000006) {
    emit('UNBIND', $conn);
    $sock->unbind_resp(seq => $pdu->{seq});
  } elsif ($cmd == 0x80000006) {
    emit('UNBIND_RESP', $conn);
  } elsif ($cmd == 0x80000005) {
    emit('DELIVER_RESP', $conn, $pdu->{seq}, $pdu->{status});
  } else {
    $sock->generic_nack(seq => $pdu->{seq}, status => 0x03);
  }
}

sub close_conn {
  my ($conn) = @_;
  my $sock = $conns{$conn}{sock};
  $select->remove($sock);
  delete $by_sock{"$sock"};
  delete $conns{$conn};
  close($sock);
  emit('CLOSED', $conn);
}

sub on_command {
  my ($line) = @_;
  my @f = split ' ', $line;
  return unless @f;
  my ($what, $conn) = @f;
  if ($what eq 'QUIT') { exit 0; }
  my $c = defined $conn ? $conns{$conn} : undef;
  unless ($c) { emit('ERROR', 'no-connection', $conn // '-'); return; }
  if ($what eq 'MO') {
    my (undef, undef, $src, $dst, $dc, $hex) = @f;
    my $seq = $c->{sock}->deliver_sm(
      async => 1, source_addr_ton => 1, source_addr_npi => 1, source_addr => $src,
      dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $dst,
      esm_class => 0, data_coding => $dc, short_message => pack('H*', $hex),
    );
    emit('SENT', 'MO', $conn, $seq);
  } elsif ($what eq 'ENQUIRE') {
    my $seq = $c->{sock}->enquire_link(async => 1);
    emit('SENT', 'ENQUIRE', $conn, $seq);
  } elsif ($what eq 'UNBIND') {
    my $seq = $c->{sock}->unbind(async => 1);
    emit('SENT', 'UNBIND', $conn, $seq);
  }
}

while (1) {
  for my $ready ($select->can_read) {
    if ($ready == $listener) {
      my $sock = $listener->accept or next;
      my $id = $next_conn++;
      $conns{$id} = { sock => $sock, mode => 'none' };
      $by_sock{"$sock"} = $id;
      $select->add($sock);
      emit('CONNECTED', $id);
    } elsif ($ready == \*STDIN) {
      # sysread, not <STDIN>: buffered reads would hide a second line from select().
      my $n = sysread(STDIN, $stdin_buffer, 65536, length $stdin_buffer);
      exit 0 unless $n;
      while ($stdin_buffer =~ s/^([^\n]*)\n//) { on_command($1); }
    } else {
      my $conn = $by_sock{"$ready"};
      next unless defined $conn;
      my $pdu = $conns{$conn}{sock}->read_pdu();
      if (!$pdu) { close_conn($conn); next; }
      on_pdu($conn, $pdu);
    }
  }
}
