/**
 * The source of the exec server: a small Perl program (only `perl-base`, which every Debian system has, and
 * no module but `strict`, so it starts in ~3 ms) that a sandbox runs as root, under the sandbox's
 * capabilities, seccomp filter, control groups and `no_new_privs` (a docker sandbox as its main process, a
 * local one through the same chain as a root command). It reads framed requests on its standard input (the stream attached by the owning process)
 * and answers on its standard output; see lib/sandbox/exec_server.ts for the protocol and the host side.
 *
 * For each request it forks one child, which takes fresh pipes for stdin, stdout and stderr (descriptors the
 * server inherited are closed at its start and its own are close-on-exec, so a command can never write to
 * the server's stream), drops to the requested gid (supplementary groups set to it alone) and uid (real and
 * effective, checked in `/proc/self/status`; the exec makes the saved ids equal) **before** changing to the
 * working directory,
 * replaces the whole environment with the request's, restores the default signal dispositions, and execs
 * the argv through util-linux `setsid` (a session of its own, as the engine gives every exec; PATH lookup,
 * 127 when not found). The server forwards at most `limit + 1` bytes of each output stream (the host keeps
 * `limit` and learns there was more), writes stdin without blocking, reaps its children, and reports each
 * exit status (128 + signal when killed) once both output pipes are closed, or {@link GRACE_SECONDS} after
 * the command exited when a background process still holds them (as the engine's own exec does). A failed
 * fork (for example at the container's process limit) is reported as such, so the host can fall back to its
 * other way of running a command (an engine exec does not fork inside the container). At end of input (the
 * owner died or closed the sandbox) it kills every command's session and exits, which stops the container.
 *
 * Frames, both ways: one type byte, a 32-bit big-endian request id, a 32-bit big-endian payload length, the
 * payload. Host → server: `R` run (payload: 32-bit header length, the header's NUL-separated fields uid,
 * gid, cwd, limit, has-stdin, argc, argv…, envc, env…, then the stdin bytes), `C` cancel (stop forwarding a
 * request's output; its process is left to the host's kill). Server → host: `H` hello (once, id 0), `O`
 * stdout bytes, `E` stderr bytes, `X` exit (decimal status), `F` not started (the reason).
 *
 * @module
 */

/** Seconds a finished command's output pipes may stay open (held by a background process) before it is reported. */
export const GRACE_SECONDS = 2;

/** The server program, run as `perl -e <source>`. */
export const EXEC_SERVER_SOURCE: string = String.raw`
use strict;

# No modules beyond strict: loading POSIX alone costs ~13 ms of start-up, on the path of a sandbox's first
# command. Linux's generic numbers instead: errno EINTR 4, EAGAIN 11, ENOENT 2; fcntl F_GETFL 3, F_SETFL 4,
# O_NONBLOCK 04000; waitpid WNOHANG 1.
my ($EINTR, $EAGAIN, $ENOENT) = (4, 11, 2);
my $SETSID = -x '/usr/bin/setsid' ? '/usr/bin/setsid' : undef;

my $GRACE = ` + GRACE_SECONDS + String.raw`;
$SIG{PIPE} = 'IGNORE';

# Descriptors inherited from whoever started the server are closed, so no command can ever inherit them
# (those the server opens itself are close-on-exec).
if (opendir(my $dir, '/proc/self/fd')) {
  my @inherited = grep { /^[0-9]+$/ && $_ > 2 } readdir($dir);
  closedir($dir);
  for my $fd (@inherited) {
    my $handle;
    close($handle) if open($handle, '<&=', $fd) || open($handle, '>&=', $fd);
  }
}

my $child_exited = 0;
$SIG{CHLD} = sub { $child_exited = 1 };
open(STDERR, '>', '/dev/null');
binmode STDIN;
binmode STDOUT;

my %jobs;
my %job_of_pid;
my $inbuf = '';

sub send_frame {
  my ($type, $id, $data) = @_;
  $data = '' unless defined $data;
  my $buf = pack('a1NN', $type, $id, length $data) . $data;
  while (length $buf) {
    my $n = syswrite(STDOUT, $buf);
    if (!defined $n) {
      next if $! == $EINTR || $! == $EAGAIN;
      shutdown_all();
    }
    substr($buf, 0, $n, '');
  }
}

sub shutdown_all {
  for my $job (values %jobs) {
    kill('KILL', -$job->{pid}) if $job->{pid} && !defined $job->{status};
  }
  exit(0);
}

sub child {
  my ($req, $in_r, $out_w, $err_w) = @_;
  my $code = 126;
  eval {
    $SIG{$_} = 'DEFAULT' for keys %SIG;
    if (defined $in_r) {
      open(STDIN, '<&', $in_r) or die "stdin: $!\n";
    } else {
      open(STDIN, '<', '/dev/null') or die "stdin: $!\n";
    }
    open(STDOUT, '>&', $out_w) or die "stdout: $!\n";
    open(STDERR, '>&', $err_w) or die "stderr: $!\n";
    # Supplementary groups and gids first (while root), then the uids. Perl sets the real and effective ids
    # (setresuid with the saved id unchanged); the execve below copies the effective ids into the saved
    # ones and, the new ids not being root, leaves no capability permitted. Nothing but this code runs
    # in between.
    my ($uid, $gid) = ($req->{uid}, $req->{gid});
    $) = "$gid $gid";
    $( = $gid;
    ($<, $>) = ($uid, $uid);
    open(my $status, '<', '/proc/self/status') or die "/proc/self/status: $!\n";
    my %ids = map { /^(Uid|Gid|Groups):\s*(.*?)\s*$/ ? ($1 => [split(/\s+/, $2)]) : () } <$status>;
    close($status);
    my @want = ($uid, $uid, $gid, $gid, $gid);
    my @have = (@{$ids{Uid}}[0, 1], @{$ids{Gid}}[0, 1], join(' ', @{$ids{Groups}}));
    die "could not become $uid:$gid\n" unless join(':', @have) eq join(':', @want);
    chdir($req->{cwd}) or die "cannot change to $req->{cwd}: $!\n";
    %ENV = ();
    for my $pair (@{$req->{env}}) {
      my ($key, $value) = split(/=/, $pair, 2);
      $ENV{$key} = $value;
    }
    my @argv = @{$req->{argv}};
    # A session of its own (util-linux setsid: the child is no group leader, so it does not fork), as the
    # engine starts every exec; setsid then execs the command with a PATH lookup, 127 when not found.
    if ($SETSID) {
      exec { $SETSID } 'setsid', '--', @argv;
    } else {
      exec { $argv[0] } @argv;
    }
    $code = $! == $ENOENT ? 127 : 126;
    die "cannot run $argv[0]: $!\n";
  };
  syswrite(STDERR, "evalkit: " . ($@ || "unknown error\n"));
  exit($code);
}

sub nonblocking {
  my ($fh) = @_;
  my $flags = fcntl($fh, 3, 0);
  fcntl($fh, 4, $flags | 04000) if defined $flags;
}

sub parse_run {
  my ($payload) = @_;
  return (undef, 'short request') if length($payload) < 4;
  my ($hlen) = unpack('N', $payload);
  return (undef, 'bad header length') if 4 + $hlen > length($payload);
  my @f = split(/\0/, substr($payload, 4, $hlen), -1);
  my %req;
  @req{qw(uid gid cwd limit has_stdin)} = splice(@f, 0, 5);
  my $argc = shift(@f);
  return (undef, 'bad fields') unless defined $argc && $argc =~ /^[0-9]+$/ && $argc >= 1 && @f >= $argc + 1;
  $req{argv} = [splice(@f, 0, $argc)];
  my $envc = shift(@f);
  return (undef, 'bad environment') unless $envc =~ /^[0-9]+$/ && @f == $envc;
  $req{env} = [@f];
  for my $field (qw(uid gid)) {
    return (undef, "bad $field") unless defined $req{$field} && $req{$field} =~ /^[0-9]+$/;
  }
  return (undef, 'bad limit') unless defined $req{limit} && $req{limit} =~ /^-?[0-9]+$/;
  return (undef, 'bad cwd') unless defined $req{cwd} && $req{cwd} =~ m{^/};
  $req{stdin} = $req{has_stdin} ? substr($payload, 4 + $hlen) : undef;
  return (\%req, undef);
}

sub spawn {
  my ($id, $payload) = @_;
  my ($req, $error) = parse_run($payload);
  if (!$req) {
    send_frame('F', $id, "bad request: $error");
    return;
  }
  my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w);
  if (!pipe($out_r, $out_w) || !pipe($err_r, $err_w) || (defined $req->{stdin} && !pipe($in_r, $in_w))) {
    send_frame('F', $id, "pipe: $!");
    return;
  }
  my $pid = fork();
  if (!defined $pid) {
    send_frame('F', $id, "fork: $!");
    return;
  }
  child($req, $in_r, $out_w, $err_w) if $pid == 0;
  close($out_w);
  close($err_w);
  close($in_r) if $in_r;
  nonblocking($_) for grep { defined } ($out_r, $err_r, $in_w);
  my $job = {
    id => $id, pid => $pid, out => $out_r, err => $err_r, in => $in_w,
    pending => defined $req->{stdin} ? $req->{stdin} : '', limit => $req->{limit},
    sent => { out => 0, err => 0 }, status => undef, exited_at => undef, cancelled => 0,
  };
  if ($job->{in} && $job->{pending} eq '') {
    close($job->{in});
    $job->{in} = undef;
  }
  $jobs{$id} = $job;
  $job_of_pid{$pid} = $job;
}

sub close_stream {
  my ($job, $name) = @_;
  close($job->{$name}) if $job->{$name};
  $job->{$name} = undef;
}

sub reap {
  $child_exited = 0;
  while ((my $pid = waitpid(-1, 1)) > 0) {
    my $job = delete $job_of_pid{$pid} or next;
    $job->{status} = $?;
    $job->{exited_at} = time();
    close_stream($job, 'in');
  }
}

sub finish_done {
  for my $id (keys %jobs) {
    my $job = $jobs{$id};
    next unless defined $job->{status};
    next if ($job->{out} || $job->{err}) && time() < $job->{exited_at} + $GRACE;
    close_stream($job, $_) for qw(out err);
    my $status = $job->{status};
    my $code = ($status & 127) ? 128 + ($status & 127) : ($status >> 8);
    send_frame('X', $id, $code) unless $job->{cancelled};
    delete $jobs{$id};
  }
}

sub read_requests {
  while (length($inbuf) >= 9) {
    my ($type, $id, $len) = unpack('a1NN', $inbuf);
    last if length($inbuf) < 9 + $len;
    my $payload = substr($inbuf, 9, $len);
    substr($inbuf, 0, 9 + $len, '');
    if ($type eq 'R') {
      if ($jobs{$id}) {
        send_frame('F', $id, 'duplicate request id');
      } else {
        spawn($id, $payload);
      }
    } elsif ($type eq 'C') {
      my $job = $jobs{$id} or next;
      $job->{cancelled} = 1;
      close_stream($job, $_) for qw(out err in);
    }
  }
}

sub pump_job {
  my ($job, $rout, $wout) = @_;
  if ($job->{in} && vec($wout, fileno($job->{in}), 1)) {
    my $n = syswrite($job->{in}, $job->{pending}, 65536);
    if (defined $n) {
      substr($job->{pending}, 0, $n, '');
    } elsif ($! != $EAGAIN && $! != $EINTR) {
      $job->{pending} = '';
    }
    close_stream($job, 'in') if $job->{pending} eq '';
  }
  for my $name (qw(out err)) {
    my $fh = $job->{$name} or next;
    next unless vec($rout, fileno($fh), 1);
    my $n = sysread($fh, my $buf, 65536);
    if (!defined $n) {
      next if $! == $EAGAIN || $! == $EINTR;
      $n = 0;
    }
    if ($n == 0) {
      close_stream($job, $name);
      next;
    }
    my $room = $job->{limit} < 0 ? $n : $job->{limit} + 1 - $job->{sent}{$name};
    next if $room <= 0;
    $buf = substr($buf, 0, $room) if $n > $room;
    $job->{sent}{$name} += length $buf;
    send_frame($name eq 'out' ? 'O' : 'E', $job->{id}, $buf);
  }
}

send_frame('H', 0, 'evalkit-exec-server 1');
while (1) {
  reap();
  finish_done();
  my ($rin, $win) = ('', '');
  vec($rin, fileno(STDIN), 1) = 1;
  my $timeout;
  for my $job (values %jobs) {
    vec($rin, fileno($job->{out}), 1) = 1 if $job->{out};
    vec($rin, fileno($job->{err}), 1) = 1 if $job->{err};
    vec($win, fileno($job->{in}), 1) = 1 if $job->{in};
    my $wait = defined $job->{exited_at} ? $job->{exited_at} + $GRACE - time() + 0.05 : 0.1;
    $wait = 0 if $wait < 0;
    $timeout = $wait if !defined $timeout || $wait < $timeout;
  }
  $timeout = 0 if $child_exited;
  my ($rout, $wout);
  my $ready = select($rout = $rin, $wout = $win, undef, $timeout);
  next if $ready <= 0;
  if (vec($rout, fileno(STDIN), 1)) {
    my $n = sysread(STDIN, $inbuf, 1 << 20, length $inbuf);
    if (!defined $n) {
      next if $! == $EINTR || $! == $EAGAIN;
      shutdown_all();
    }
    shutdown_all() if $n == 0;
    read_requests();
  }
  for my $job (values %jobs) {
    pump_job($job, $rout, $wout);
  }
}
`;
