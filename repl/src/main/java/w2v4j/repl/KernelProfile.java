package w2v4j.repl;

import w2v4j.kernels.Backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Backend} wrapper that adds up the wall time of every call by operation name
 * ({@code attention}, {@code linear}, ...), for {@code w2v bench --profile}. Calls are coarse (one
 * per layer and operation), so a reflective proxy costs nothing measurable. Each timed call ends
 * with {@link Backend#finish}, so that a device backend's queued work is charged to the operation
 * that issued it rather than to the next one that waits.
 */
final class KernelProfile implements InvocationHandler {
    private final Backend target;
    private final Map<String, long[]> totals = new LinkedHashMap<>();

    private KernelProfile(Backend target) {
        this.target = target;
    }

    static KernelProfile of(Backend target) {
        return new KernelProfile(target);
    }

    Backend backend() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, this);
    }

    void reset() {
        totals.clear();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        long t0 = System.nanoTime();
        try {
            Object result = method.invoke(target, args);
            target.finish();
            return result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            String key = method.getName();
            // The backward of attention and the statistics-saving forwards are told apart by arity.
            if (key.equals("attention") && args != null && args.length == 10) key = "attention(lse)";
            long[] t = totals.computeIfAbsent(key, x -> new long[2]);
            t[0] += System.nanoTime() - t0;
            t[1]++;
        }
    }

    /** Seconds per operation, largest first. */
    List<Map.Entry<String, Double>> seconds() {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        for (var e : totals.entrySet()) out.add(Map.entry(e.getKey(), e.getValue()[0] / 1e9));
        out.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return out;
    }

    double totalAll() {
        return total("");
    }

    double total(String prefix) {
        double s = 0;
        for (var e : totals.entrySet()) if (e.getKey().startsWith(prefix)) s += e.getValue()[0] / 1e9;
        return s;
    }
}
