package p2psync.simulation.toxiproxy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The toxics of one proxy, by name, each direction in the order they were added. */
final class ToxicSet {
  private final List<Toxic> toxics = new ArrayList<>();

  Toxic add(Toxic toxic) {
    if (find(toxic.name()) >= 0) {
      throw ApiError.toxicAlreadyExists();
    }
    toxics.add(toxic);
    return toxic;
  }

  Toxic get(String name) {
    return toxics.get(indexOf(name));
  }

  Toxic update(String name, JsonObject request) {
    int index = indexOf(name);
    Toxic updated = toxics.get(index).updatedBy(request);
    toxics.set(index, updated);
    return updated;
  }

  Toxic remove(String name) {
    return toxics.remove(indexOf(name));
  }

  /** Upstream toxics first, then downstream, as Toxiproxy lists its two chains. */
  List<Toxic> all() {
    List<Toxic> ordered = new ArrayList<>(toxics);
    ordered.sort(Comparator.comparing(Toxic::stream));
    return ordered;
  }

  JsonArray toJson() {
    JsonArray json = new JsonArray();
    all().forEach(toxic -> json.add(toxic.toJson()));
    return json;
  }

  private int indexOf(String name) {
    int index = find(name);
    if (index < 0) {
      throw ApiError.toxicNotFound();
    }
    return index;
  }

  private int find(String name) {
    for (int i = 0; i < toxics.size(); i++) {
      if (toxics.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
