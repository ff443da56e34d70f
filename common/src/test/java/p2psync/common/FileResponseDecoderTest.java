package p2psync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileResponseDecoderTest {

  /** Records every callback, and checks their order as they come. */
  static final class Recorder implements FileResponseDecoder.Listener {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    long header = -1;
    int headers;
    int bodyCalls;
    int completions;

    @Override
    public void onHeader(long length) {
      assertThat(headers).as("onHeader called twice").isZero();
      assertThat(completions).as("onHeader after onComplete").isZero();
      headers++;
      header = length;
      events.add("header " + length);
    }

    @Override
    public void onBody(Buffer data, int from, int to) {
      assertThat(from).as("body range starts inside the buffer").isBetween(0, to);
      assertThat(to).as("body range ends inside the buffer").isLessThanOrEqualTo(data.length());
      Buffer chunk = data.slice(from, to);
      assertThat(headers).as("onBody before onHeader").isEqualTo(1);
      assertThat(completions).as("onBody after onComplete").isZero();
      assertThat(chunk.length()).as("empty body chunk delivered").isPositive();
      bodyCalls++;
      body.writeBytes(chunk.getBytes());
      events.add("body " + chunk.length());
    }

    @Override
    public void onComplete() {
      assertThat(headers).as("onComplete before onHeader").isEqualTo(1);
      assertThat(completions).as("onComplete called twice").isZero();
      completions++;
      events.add("complete");
    }

    byte[] bodyBytes() {
      return body.toByteArray();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Buffer slice(byte[] all, int from, int to) {
    byte[] part = new byte[to - from];
    System.arraycopy(all, from, part, 0, part.length);
    return Buffer.buffer(part);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] response(byte[] body) {
    return concat(bytes("Content-Length: " + body.length + "\n"), body);
  }

  /** Feeds {@code all} cut at the given sorted split points. */
  private static FileResponseDecoder feedSplit(Recorder recorder, byte[] all, int... splits)
      throws ProtocolException {
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    int from = 0;
    for (int split : splits) {
      decoder.feed(slice(all, from, split));
      from = split;
    }
    decoder.feed(slice(all, from, all.length));
    return decoder;
  }

  private static void assertDelivered(Recorder recorder, FileResponseDecoder decoder, byte[] body) {
    assertThat(recorder.header).isEqualTo(body.length);
    assertThat(recorder.bodyBytes()).isEqualTo(body);
    assertThat(recorder.completions).isEqualTo(1);
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.COMPLETE);
    assertThat(decoder.remaining()).isZero();
  }

  // ---- whole responses -------------------------------------------------------------------------

  @Test
  void headerAndBodyInOneBuffer() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.AWAITING_HEADER);

    decoder.feed(Buffer.buffer("Content-Length: 11\nhello world"));

    assertThat(recorder.events).containsExactly("header 11", "body 11", "complete");
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.COMPLETE);
    assertThat(decoder.remaining()).isZero();
    assertThat(decoder.extraBytes()).isZero();
    decoder.end();
  }

  /**
   * Pipelined responses (v2): three responses, one empty, cut at every pair of points; each decoder
   * takes exactly its response's bytes and hands back where the next one starts.
   */
  @Test
  void pipelinedResponsesSplitAtEveryPairOfPointsGoEachToItsOwnDecoder() throws Exception {
    byte[][] bodies = {bytes("abc"), new byte[0], bytes("hello\nworld")};
    byte[] all = concat(concat(response(bodies[0]), response(bodies[1])), response(bodies[2]));
    for (int a = 0; a <= all.length; a++) {
      for (int b = a; b <= all.length; b++) {
        Recorder[] recorders = {new Recorder(), new Recorder(), new Recorder()};
        FileResponseDecoder[] decoders = new FileResponseDecoder[3];
        for (int i = 0; i < 3; i++) {
          decoders[i] = new FileResponseDecoder(recorders[i]);
        }
        int current = 0;
        for (int[] cut : new int[][] {{0, a}, {a, b}, {b, all.length}}) {
          Buffer chunk = slice(all, cut[0], cut[1]);
          int from = 0;
          do {
            from = decoders[current].feed(chunk, from);
            if (decoders[current].state() == FileResponseDecoder.State.COMPLETE && current < 2) {
              current++;
            }
          } while (from < chunk.length());
        }
        for (int i = 0; i < 3; i++) {
          assertDelivered(recorders[i], decoders[i], bodies[i]);
          assertThat(decoders[i].extraBytes()).isZero();
        }
      }
    }
  }

  @Test
  void bodyIsBinarySafe() throws Exception {
    byte[] body = new byte[256];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i; // includes '\n', '\r' and bytes that are not UTF-8
    }
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = feedSplit(recorder, response(body));
    assertDelivered(recorder, decoder, body);
    decoder.end();
  }

  @Test
  void headerOnlyThenBodyInLaterChunks() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);

    decoder.feed(Buffer.buffer("Content-Length: 6\n"));
    assertThat(recorder.events).containsExactly("header 6");
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.RECEIVING_BODY);
    assertThat(decoder.remaining()).isEqualTo(6);

    decoder.feed(Buffer.buffer("abc"));
    assertThat(decoder.remaining()).isEqualTo(3);
    assertThat(recorder.completions).isZero();

    decoder.feed(Buffer.buffer());
    assertThat(decoder.remaining()).isEqualTo(3);

    decoder.feed(Buffer.buffer("def"));
    assertThat(recorder.events).containsExactly("header 6", "body 3", "body 3", "complete");
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("abcdef");
    decoder.end();
  }

  @Test
  void headerSplitAtEveryBytePosition() throws Exception {
    byte[] header = bytes("Content-Length: 5\n");
    byte[] body = bytes("abcde");
    byte[] all = concat(header, body);
    for (int split = 0; split <= header.length; split++) {
      Recorder recorder = new Recorder();
      FileResponseDecoder decoder = new FileResponseDecoder(recorder);
      decoder.feed(slice(all, 0, split));
      if (split < header.length) {
        assertThat(recorder.events).as("split %d", split).isEmpty();
        assertThat(decoder.state())
            .as("split %d", split)
            .isEqualTo(FileResponseDecoder.State.AWAITING_HEADER);
      } else {
        assertThat(recorder.events).as("split %d", split).containsExactly("header 5");
      }
      decoder.feed(slice(all, split, all.length));
      assertDelivered(recorder, decoder, body);
      assertThat(decoder.extraBytes()).isZero();
      decoder.end();
    }
  }

  @Test
  void headerFedOneByteAtATime() throws Exception {
    byte[] body = bytes("the body");
    byte[] all = response(body);
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    for (int i = 0; i < all.length; i++) {
      decoder.feed(slice(all, i, i + 1));
    }
    assertDelivered(recorder, decoder, body);
    assertThat(recorder.bodyCalls).isEqualTo(body.length);
    decoder.end();
  }

  @Test
  void wholeResponseSplitAtEveryBytePosition() throws Exception {
    byte[] body = new byte[300];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    byte[] all = response(body);
    for (int split = 0; split <= all.length; split++) {
      Recorder recorder = new Recorder();
      FileResponseDecoder decoder = feedSplit(recorder, all, split);
      assertDelivered(recorder, decoder, body);
      assertThat(decoder.extraBytes()).isZero();
      decoder.end();
    }
  }

  @Test
  void allPairsOfSplitPointsOfAShortResponse() throws Exception {
    byte[] body = bytes("0123456789\nab\r");
    byte[] extra = bytes("XYZ");
    byte[] all = concat(response(body), extra);
    for (int first = 0; first <= all.length; first++) {
      for (int second = first; second <= all.length; second++) {
        Recorder recorder = new Recorder();
        FileResponseDecoder decoder = feedSplit(recorder, all, first, second);
        assertDelivered(recorder, decoder, body);
        assertThat(decoder.extraBytes()).as("splits %d,%d", first, second).isEqualTo(extra.length);
        decoder.end();
      }
    }
  }

  @Test
  void bodyLongerThanAnIntIsCountedInALong() throws Exception {
    long length = 5_000_000_000L;
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: " + length + "\n"));
    assertThat(recorder.header).isEqualTo(length);
    decoder.feed(Buffer.buffer(new byte[1 << 20]));
    assertThat(decoder.remaining()).isEqualTo(length - (1 << 20));
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.RECEIVING_BODY);
    assertThatThrownBy(decoder::end)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(Long.toString(length - (1 << 20)));
  }

  // ---- zero length and extra bytes -------------------------------------------------------------

  @Test
  void zeroLengthCompletesAtTheHeader() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 0\n"));
    assertThat(recorder.events).containsExactly("header 0", "complete");
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.COMPLETE);
    assertThat(decoder.extraBytes()).isZero();
    decoder.end();
  }

  @Test
  void zeroLengthWithTrailingBytesDeliversNoBody() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 0\njunk"));
    assertThat(recorder.events).containsExactly("header 0", "complete");
    assertThat(decoder.extraBytes()).isEqualTo(4);
    decoder.end();
  }

  @Test
  void bytesAfterTheBodyAreCountedNotDelivered() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 3\nabcXYZ"));
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
    assertThat(decoder.extraBytes()).isEqualTo(3);

    decoder.feed(Buffer.buffer("more"));
    decoder.feed(Buffer.buffer());
    assertThat(decoder.extraBytes()).isEqualTo(7);
    assertThat(recorder.events).containsExactly("header 3", "body 3", "complete");
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
    decoder.end();
  }

  @Test
  void extraBytesInTheChunkThatEndsTheBody() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 4\nab"));
    decoder.feed(Buffer.buffer("cdEXTRA"));
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("abcd");
    assertThat(decoder.extraBytes()).isEqualTo(5);
  }

  // ---- end of stream ---------------------------------------------------------------------------

  @Test
  void endBeforeAnyByteThrows() {
    FileResponseDecoder decoder = new FileResponseDecoder(new Recorder());
    assertThatThrownBy(decoder::end)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("before any response");
  }

  @Test
  void endInsideTheHeaderThrows() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Len"));
    assertThatThrownBy(decoder::end)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("inside the header");
    assertThat(recorder.events).isEmpty();
  }

  @Test
  void endWithTheWholeBodyMissingThrows() throws Exception {
    FileResponseDecoder decoder = new FileResponseDecoder(new Recorder());
    decoder.feed(Buffer.buffer("Content-Length: 10\n"));
    assertThatThrownBy(decoder::end)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("10 body bytes missing");
  }

  @Test
  void lyingLengthLongerThanTheBodyThrowsAtEnd() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 100\n0123456789"));
    assertThat(recorder.completions).isZero();
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.RECEIVING_BODY);
    assertThat(decoder.remaining()).isEqualTo(90);
    assertThatThrownBy(decoder::end)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("90 body bytes missing");
  }

  // ---- bad headers -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\n",
        "Length: 5\n",
        "Content-Type: 5\n",
        "X-Content-Length: 5\n",
        "Content-Length 5\n",
        "Content-Length : 5\n",
        "Content-Length: -1\n",
        "Content-Length: +5\n",
        "Content-Length: abc\n",
        "Content-Length: 12abc\n",
        "Content-Length: 1.5\n",
        "Content-Length: 0x10\n",
        "Content-Length: 1 2\n",
        "Content-Length:\n",
        "Content-Length:   \n",
        "Content-Length: \r\n",
        "Content-Length: 9223372036854775808\n",
        "Content-Length: 99999999999999999999\n",
        "Content-Length: 18446744073709551616\n",
      })
  void badHeaderThrowsAndReportsNothing(String header) {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(header + "body")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("Content-Length");
    assertThat(recorder.events).isEmpty();
  }

  @Test
  void headerLongerThanTheLimitWithoutNewlineThrows() throws Exception {
    String longLine = "Content-Length: " + "1".repeat(ContentLength.MAX_HEADER_BYTES);
    FileResponseDecoder decoder = new FileResponseDecoder(new Recorder());
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(longLine)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than " + ContentLength.MAX_HEADER_BYTES);
  }

  @Test
  void headerLongerThanTheLimitThrowsWhenFedByteByByte() throws Exception {
    FileResponseDecoder decoder = new FileResponseDecoder(new Recorder());
    for (int i = 0; i < ContentLength.MAX_HEADER_BYTES; i++) {
      decoder.feed(Buffer.buffer("x")); // up to the limit: still waiting, no error yet
    }
    assertThat(decoder.state()).isEqualTo(FileResponseDecoder.State.AWAITING_HEADER);
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer("x")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("header longer than");
  }

  @Test
  void headerOfExactlyTheLimitIsAccepted() throws Exception {
    String prefix = "Content-Length:";
    String line = prefix + " ".repeat(ContentLength.MAX_HEADER_BYTES - prefix.length() - 1) + "3";
    assertThat(line).hasSize(ContentLength.MAX_HEADER_BYTES);
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer(line + "\nabc"));
    assertThat(recorder.header).isEqualTo(3);
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
  }

  @Test
  void trailingCarriageReturnIsTolerated() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("Content-Length: 4\r\nbody"));
    assertThat(recorder.header).isEqualTo(4);
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("body");
    decoder.end();
  }

  @Test
  void headerNameIsCaseInsensitive() throws Exception {
    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = new FileResponseDecoder(recorder);
    decoder.feed(Buffer.buffer("content-length:2\nhi"));
    assertThat(new String(recorder.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("hi");
    decoder.end();
  }

  // ---- property --------------------------------------------------------------------------------

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(5000);
  }

  @Property(tries = 300)
  void deliversExactlyTheBodyHoweverTheStreamIsCut(
      @ForAll("bodies") byte[] body,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 6000) Integer> cuts,
      @ForAll @IntRange(min = 0, max = 20) int extra)
      throws Exception {
    byte[] all = concat(response(body), new byte[extra]);
    List<Integer> points = new ArrayList<>();
    for (int cut : cuts) {
      points.add(Math.min(cut, all.length));
    }
    Collections.sort(points);
    int[] splits = points.stream().mapToInt(Integer::intValue).toArray();

    Recorder recorder = new Recorder();
    FileResponseDecoder decoder = feedSplit(recorder, all, splits);

    assertDelivered(recorder, decoder, body);
    assertThat(decoder.extraBytes()).isEqualTo(extra);
    decoder.end();
  }
}
