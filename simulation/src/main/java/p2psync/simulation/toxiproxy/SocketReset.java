package p2psync.simulation.toxiproxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Closes a socket with a TCP RST instead of a FIN. Vert.x's NetSocket has no SO_LINGER setting, so
 * this sets SO_LINGER 0 on the Netty channel underneath (reached through Vert.x's
 * NetSocketInternal, which every TCP NetSocket is) and then closes: the kernel then discards unsent
 * data and sends a RST, which is what Toxiproxy's SetLinger(0) before Close does.
 */
final class SocketReset {
  private SocketReset() {}

  /** A socket already closed (its peer hung up first) has nothing left to reset. */
  static void reset(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      Channel channel = internal.channelHandlerContext().channel();
      try {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (ChannelException e) {
        if (channel.isOpen()) {
          throw e;
        } // closed between our look and the option: nothing to abort
      }
    }
    socket.close();
  }
}
