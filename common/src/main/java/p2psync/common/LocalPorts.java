package p2psync.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports our servers listen on in this JVM. Vert.x shares a server socket between servers of one
 * Vert.x instance that listen on the same port instead of failing the second bind, so "first free
 * port from 8000" must skip ports we hold ourselves, or two peers in one JVM would answer for each
 * other.
 */
public final class LocalPorts {
  private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();

  private LocalPorts() {}

  /** Marks {@code port} as ours; false when one of our servers holds it already. */
  public static boolean hold(int port) {
    return HELD.add(port);
  }

  public static void release(int port) {
    HELD.remove(port);
  }

  public static boolean isHeld(int port) {
    return HELD.contains(port);
  }
}
