package w2v4j.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a model, in registration order, addressable by their Hugging Face names. */
public final class ParamSet {
    private final Map<String, Param> byName = new LinkedHashMap<>();

    public Param add(String name, int... shape) {
        Param p = new Param(name, shape);
        if (byName.putIfAbsent(name, p) != null) throw new IllegalStateException("duplicate parameter " + name);
        return p;
    }

    public Param get(String name) {
        return byName.get(name);
    }

    public List<Param> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public long count() {
        long n = 0;
        for (Param p : byName.values()) n += p.numel();
        return n;
    }
}
