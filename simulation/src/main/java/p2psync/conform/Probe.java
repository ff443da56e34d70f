package p2psync.conform;

/** What every role's probe has: the case's transcript, and peers to close when the case ends. */
interface Probe extends AutoCloseable {
  Transcript transcript();

  @Override
  void close();
}
