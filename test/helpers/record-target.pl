#!/usr/bin/perl
# A stand-in infrastructure for pipeline tests: every call appends {action, args} to a JSON-lines log.
# Perl (perl-base, part of every Debian system), not Node: the suite starts it some 600 times, and a Node
# process costs ~0.1 s of CPU to start where this costs a few milliseconds. Core Perl only, no modules.
# Environment knobs (specs are "action", "action:first-arg" or the whole call "action arg arg"):
#   FAIL_ON="health:green,deploy"          matching calls exit 1
#   FAIL_AFTER="set_weight green 25"       with FAIL_LATER="health:green": those calls fail once that call
#                                          has been logged (a canary that degrades at 25 %)
#   SLEEP_ON="set_weight:green=5000"       sleep that many ms on a match (to cancel mid-step); with
#                                          "set_weight green 0=3000" only traffic going back is slow
#   CURRENT='{"slot":"blue"}'              what the `current` action prints
#   LOG_END=1                              also log {action: "end", args: [action, ...args]} as the call
#                                          ends (after its sleep): whether it ran to its end, and when;
#                                          stopped by SIGTERM, it logs "end <call> terminated" 300 ms later
#                                          (a command that takes a moment to stop) and exits 143
#   PID_LOG=/path                          append "<pid> <call>" to that file as the call starts (a test
#                                          checks whether the command's process is still running)
use strict;
use warnings;

my ($log, $action, @args) = @ARGV;
if (!defined $log || $log eq '' || !defined $action || $action eq '') {
  print STDERR "usage: record-target.pl <log> <action> [args...]\n";
  exit 2;
}

# JSON as JSON.stringify writes it for valid UTF-8 text: quotes, backslashes and control characters escaped,
# every other byte as it is (the arguments arrive as UTF-8 bytes and stay so).
sub json_string {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/\n/\\n/g;
  $s =~ s/\r/\\r/g;
  $s =~ s/\t/\\t/g;
  $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return qq("$s");
}

sub json_unstring {
  my ($s) = @_;
  my %simple = (n => "\n", r => "\r", t => "\t", b => "\b", f => "\f", '"' => '"', '\\' => '\\', '/' => '/');
  $s =~ s/\\(u([0-9a-fA-F]{4})|.)/defined $2 ? chr(hex $2) : $simple{$1}/ge;
  return $s;
}

sub call_line {
  my ($name, @list) = @_;
  return '{"action":' . json_string($name) . ',"args":[' . join(',', map { json_string($_) } @list) . "]}\n";
}

sub append_line {
  my ($line) = @_;
  open(my $fh, '>>', $log) or die "record-target: cannot append to $log: $!\n";
  print $fh $line;
  close $fh;
}

my $previous = '';
if (open(my $in, '<', $log)) {
  local $/;
  $previous = <$in> // '';
  close $in;
}
append_line(call_line($action, @args));
if (($ENV{PID_LOG} // '') ne '') {
  open(my $fh, '>>', $ENV{PID_LOG}) or die "record-target: cannot append to $ENV{PID_LOG}: $!\n";
  print $fh "$$ " . join(' ', $action, @args) . "\n";
  close $fh;
}

my $whole = join(' ', $action, @args);
# What it says about the call: the action, a space, the arguments (the space even when there are none).
my $said = "$action " . join(' ', @args);
my $first = @args ? "$action:$args[0]" : undef;
sub matches {
  my ($spec) = @_;
  return $spec eq $action || (defined $first && $spec eq $first) || $spec eq $whole;
}
sub specs {
  my ($name) = @_;
  return grep { $_ ne '' } split(/,/, $ENV{$name} // '');
}

if ($ENV{LOG_END}) {
  $SIG{TERM} = sub {
    select(undef, undef, undef, 0.3);
    append_line(call_line('end', $action, @args, 'terminated'));
    exit 143;
  };
}
for my $rule (specs('SLEEP_ON')) {
  my ($spec, $ms) = split(/=/, $rule, 2);
  # A SIGTERM ends the sleep: with LOG_END its handler logs and exits, without one it ends the process.
  select(undef, undef, undef, ($ms // 0) / 1000) if matches($spec // '');
}

my $degraded = 0;
if (($ENV{FAIL_AFTER} // '') ne '') {
  for my $line (split(/\n/, $previous)) {
    next if $line eq '';
    # {"action":S,"args":[S,...]}: every string but the two keys is the call.
    my @strings = map { json_unstring($_) } ($line =~ /"((?:[^"\\]|\\.)*)"/g);
    my @call = @strings[1, 3 .. $#strings];
    if (join(' ', @call) eq $ENV{FAIL_AFTER}) { $degraded = 1; last; }
  }
}
if ((grep { matches($_) } specs('FAIL_ON')) || ($degraded && grep { matches($_) } specs('FAIL_LATER'))) {
  print STDERR "$said: failing as asked\n";
  exit 1;
}
append_line(call_line('end', $action, @args)) if $ENV{LOG_END};
if ($action eq 'current') { print(($ENV{CURRENT} // '') . "\n"); }
else { print "$said: ok\n"; }
