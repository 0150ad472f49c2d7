package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import w2v4j.kernels.BackendProvider;
import w2v4j.kernels.Backends;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** {@code backend list | use NAME}: the compute backends and the session's choice. */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Compute backends: list them, or choose the one later commands use when given no --backend.",
        subcommands = {BackendCommand.ListCommand.class, BackendCommand.UseCommand.class, CommandLine.HelpCommand.class})
final class BackendCommand implements Runnable {
    @Override
    public void run() {
        new ListCommand().run();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every backend on the class path: name, whether it can run here, and why not.")
    static final class ListCommand implements Runnable {
        @Override
        public void run() {
            String active = Session.current().backend();
            System.out.printf(Locale.ROOT, "  %-12s %-10s %s%n", "NAME", "AVAILABLE", "NOTE");
            for (BackendProvider p : Backends.list()) {
                String note = p.available() ? (p.name().equals(active) ? "in use" : "") : p.unavailableReason();
                System.out.printf(Locale.ROOT, "%s %-12s %-10s %s%n", p.name().equals(active) ? "*" : " ", p.name(),
                        p.available() ? "yes" : "no", note);
                // the devices --device N chooses among (OpenCL: every platform's devices, clinfo -l style)
                for (String d : p.available() ? p.devices() : List.<String>of()) System.out.println("      device " + d);
            }
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true, description = "Make NAME the session's backend (it must be available).")
    static final class UseCommand implements Runnable {
        @Parameters(paramLabel = "NAME", completionCandidates = Names.class, description = "A backend name: ${COMPLETION-CANDIDATES}.")
        String name;

        @Override
        public void run() {
            Session.current().useBackend(name);
            System.out.println("backend: " + name);
        }
    }

    /** For completion and help: the names of the backends on the class path. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            for (BackendProvider p : Backends.list()) names.add(p.name());
            return names.iterator();
        }
    }
}
