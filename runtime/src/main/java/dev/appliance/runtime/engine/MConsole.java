package dev.appliance.runtime.engine;

import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * UML's management console: a Unix datagram socket, which Java cannot speak (it has stream Unix
 * sockets only), so a few lines of Perl do it; perl-base is essential on Debian. Only "cad"
 * (Ctrl-Alt-Del) is used: the guest's systemd then runs ctrl-alt-del.target, which the appliance
 * base image maps to poweroff.
 */
final class MConsole {
  private static final String CLIENT =
      String.join(
          "\n",
          "use strict; use Socket;",
          "my ($sock, $cmd) = @ARGV;",
          "socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die \"socket: $!\\n\";",
          "my $me = \"$sock.$$\"; unlink $me;",
          "bind($s, pack_sockaddr_un($me)) or die \"bind: $!\\n\";",
          // struct mconsole_request: magic, version, length, data[512], little endian
          "my $req = pack('VVV', 0xcafebabe, 2, length $cmd) . pack('a512', $cmd);",
          "send($s, $req, 0, pack_sockaddr_un($sock)) or do { unlink $me; die \"send: $!\\n\" };",
          "my $rin = ''; vec($rin, fileno($s), 1) = 1;",
          "my $ok = select(my $rout = $rin, undef, undef, 5);",
          "my $reply = ''; recv($s, $reply, 4096, 0) if $ok;",
          "unlink $me;",
          "die \"no reply\\n\" unless $ok;",
          "my ($err, $more, $len) = unpack('VVV', $reply);",
          "die substr($reply, 12, $len) . \"\\n\" if $err;");

  private MConsole() {}

  static void send(Path socket, String command) throws IOException {
    Path absolute = socket.toAbsolutePath();
    HostTool.run(
        List.of("perl", "-e", CLIENT, absolute.toString(), command),
        absolute.getParent(),
        HostTool.Options.SHORT);
  }
}
