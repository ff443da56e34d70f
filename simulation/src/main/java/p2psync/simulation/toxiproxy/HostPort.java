package p2psync.simulation.toxiproxy;

/**
 * A {@code host:port} address as Toxiproxy takes them for {@code listen} and {@code upstream}:
 * {@code 127.0.0.1:0}, {@code [::1]:8080}, {@code :0} (every interface), {@code localhost:80}.
 * Printed the way Go prints a bound address, so that {@code listen} reads back as Toxiproxy's.
 */
record HostPort(String host, int port) {

  /**
   * Fails as a 500, as Toxiproxy does when Go cannot resolve or listen on the address, with Go's
   * words for it. An empty address is every interface on a port the OS picks, as for Go's listener.
   */
  static HostPort parse(String address) {
    if (address.isEmpty()) {
      return new HostPort("", 0);
    }
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw ApiError.internal("address " + address + ": missing port in address");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = address.substring(colon + 1);
    try {
      int number = Integer.parseInt(port);
      if (number < 0 || number > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(host.equalsIgnoreCase("localhost") ? "127.0.0.1" : host, number);
    } catch (NumberFormatException e) {
      throw ApiError.internal("address " + port + ": invalid port");
    }
  }

  /** The host to bind; an empty host means every interface. */
  String bindHost() {
    return host.isEmpty() ? "0.0.0.0" : host;
  }

  HostPort withPort(int actualPort) {
    return new HostPort(host, actualPort);
  }

  /**
   * As Go prints a bound address; Go listens on every interface, IPv6 included, where the host is
   * empty and prints that as {@code [::]} (we bind IPv4's 0.0.0.0 only).
   */
  @Override
  public String toString() {
    String shown = host.isEmpty() ? "::" : bindHost();
    return (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port;
  }
}
