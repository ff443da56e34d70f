package p2psync.tracker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw seed-style tracker client on a blocking socket, for tests. */
public final class SeedClient implements AutoCloseable {
  public final Socket socket;
  public final BufferedReader in;

  public SeedClient(int trackerPort) throws Exception {
    socket = new Socket("127.0.0.1", trackerPort);
    socket.setSoTimeout(5_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  public void send(String text) throws Exception {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one line, returns the tracker's reply line. */
  public String ask(String line) throws Exception {
    send(line + "\n");
    return in.readLine();
  }

  @Override
  public void close() throws java.io.IOException {
    socket.close();
  }
}
