package w2v4j.tests;

import java.util.ArrayList;
import java.util.List;

/** How the terminal tests start a JVM like the launcher does, on the test class path. */
final class ShellProcess {
    private ShellProcess() {
    }

    /** java, the launcher's JVM options, the class path of this test run, then the main class and its arguments. */
    static List<String> command(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xss4m", "-Djava.awt.headless=true", "-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
