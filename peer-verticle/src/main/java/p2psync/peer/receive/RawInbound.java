package p2psync.peer.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.function.Consumer;

/**
 * A socket's bytes as Netty reads them, without the copy Vert.x makes for a {@code NetSocket}
 * handler ({@code BufferInternal.safeBuffer}: every pooled direct read buffer into a new heap
 * buffer), and with TCP backpressure by the channel's {@code autoRead}.
 *
 * <p>Why not {@code NetSocket.pause()}: a paused Vert.x 5.0.7 socket queues what Netty already read
 * and signals the end ahead of that queue (eclipse-vertx/vert.x#5748, see {@code LateEndGuard}).
 * Turning {@code autoRead} off stops Netty reading the socket at all, so nothing is queued, and the
 * end is seen only once every byte before it has been read: no grace period needed. Vert.x leaves
 * {@code autoRead} alone while its own queue is empty, which it is as long as nobody pauses it.
 *
 * <p>All methods on the socket's context.
 */
public final class RawInbound {
  private final NetSocketInternal socket;
  private final ChannelConfig channel;

  private RawInbound(NetSocketInternal socket) {
    this.socket = socket;
    this.channel = socket.channelHandlerContext().channel().config();
    // before the first read: Netty creates a channel's read-size handle once, at its first read;
    // with the channel's reads per loop (16 for a socket; a new allocator's default is 1, and one
    // read per loop slowed a swarm of small files by half: bench convergence 16 -> 22-30 s)
    if (channel.getRecvByteBufAllocator() instanceof MaxMessagesRecvByteBufAllocator before) {
      sizes.maxMessagesPerRead(before.maxMessagesPerRead());
    }
    channel.setRecvByteBufAllocator(sizes);
  }

  private final ReadSizes sizes = new ReadSizes();

  /**
   * From now on (the next read loop), reads of up to 1 MiB where Netty's default stops at 64 KiB:
   * for a large body, a sixteenth of the reads, sink writes and writer handoffs (bench transfer, 1
   * GiB: 1,050-1,070 -> 1,290-1,390 MB/s seed, 770 -> 875 MB/s v2). Not for every connection: one
   * that carries small files would hold a 1 MiB buffer per 64 KiB answer until it is written. The
   * guess still grows only while reads fill their buffers.
   */
  public void readLarge() {
    sizes.large = true;
  }

  /**
   * Netty's adaptive read sizes, up to its default 64 KiB until told to read large, then up to
   * {@link #MAX_READ_BYTES}. Written by hand because Netty binds a channel to one allocator's
   * handle for good; this one's handle switches between two, at the start of a read loop only.
   */
  private static final class ReadSizes implements MaxMessagesRecvByteBufAllocator {
    private final AdaptiveRecvByteBufAllocator small = new AdaptiveRecvByteBufAllocator();
    private final AdaptiveRecvByteBufAllocator big =
        new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
    volatile boolean large;

    @Override
    public int maxMessagesPerRead() {
      return small.maxMessagesPerRead();
    }

    @Override
    public MaxMessagesRecvByteBufAllocator maxMessagesPerRead(int maxMessagesPerRead) {
      small.maxMessagesPerRead(maxMessagesPerRead);
      big.maxMessagesPerRead(maxMessagesPerRead);
      return this;
    }

    @Override
    public Handle newHandle() {
      ExtendedHandle smallHandle = (ExtendedHandle) small.newHandle();
      ExtendedHandle bigHandle = (ExtendedHandle) big.newHandle();
      return new ExtendedHandle() {
        private ExtendedHandle current = smallHandle;

        @Override
        public void reset(ChannelConfig config) {
          current = large ? bigHandle : smallHandle;
          current.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
          return current.allocate(alloc);
        }

        @Override
        public int guess() {
          return current.guess();
        }

        @Override
        public void incMessagesRead(int numMessages) {
          current.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
          current.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
          return current.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
          current.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
          return current.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
          return current.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
          return current.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
          current.readComplete();
        }
      };
    }
  }

  /** The most one socket read hands over. */
  static final int MAX_READ_BYTES = 1 << 20;

  /** Takes over a socket's inbound side; its {@code handler} and {@code pause} must not be used. */
  public static RawInbound of(NetSocket socket) {
    return new RawInbound((NetSocketInternal) socket);
  }

  /**
   * {@code handler} sees each buffer read; the buffer is released when it returns, so whatever
   * keeps bytes beyond that takes its own reference ({@code retainedSlice}).
   */
  public RawInbound handler(Consumer<ByteBuf> handler) {
    socket.messageHandler(
        message -> {
          try {
            if (message instanceof ByteBuf data) {
              handler.accept(data);
            }
          } finally {
            ReferenceCountUtil.release(message);
          }
        });
    return this;
  }

  /** Called once the peer closed its side and every byte before that was handled. */
  public RawInbound endHandler(Handler<Void> handler) {
    socket.endHandler(handler);
    return this;
  }

  public RawInbound exceptionHandler(Handler<Throwable> handler) {
    socket.exceptionHandler(handler);
    return this;
  }

  /** Stops reading the socket (TCP pushes back on the sender); a read under way still arrives. */
  public void pause() {
    channel.setAutoRead(false);
  }

  public void resume() {
    channel.setAutoRead(true);
  }
}
