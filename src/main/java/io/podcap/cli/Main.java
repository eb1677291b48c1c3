package io.podcap.cli;

import io.podcap.capture.CaptureException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The podcap command line. The only place that prints; errors are one line on stderr and exit status 2 or 1. */
@Command(name = "podcap", mixinStandardHelpOptions = true, version = "podcap 0.1.0",
        description = "Packet capture in Kubernetes pod network namespaces.")
public final class Main {
    private static final List<Class<?>> COMMANDS = List.of(CaptureCommand.class, IfacesCommand.class,
            FlowsCommand.class, ProbesCommand.class, DemoCommand.class, PodsCommand.class, DoctorCommand.class,
            TraceCommand.class, TrainCommand.class);

    /** Bad input: unknown namespace, interface or file, a filter that does not compile, missing privileges. */
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        // The decoders check every read against the packet's bounds themselves, so netty's own checks on each byte
        // (index and reference count) only cost time on the hot path: off in this process, before netty loads.
        System.setProperty("io.netty.buffer.checkBounds", "false");
        System.setProperty("io.netty.buffer.checkAccessible", "false");
        System.setOut(Stdout.stream(128, true)); // as the JVM's own: a small buffer flushed at each line
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (Stdout.readerGone(e)) {
                return Stdout.EXIT_READER_GONE; // `| head` has what it wanted: nothing to say
            }
            PrintWriter err = cmd.getErr();
            err.println("podcap: " + message(e));
            err.flush();
            return exitCode(e);
        });
        return cli.execute(args);
    }

    /**
     * The command line for these arguments: only the command they name is modelled (picocli reflects over every option
     * of every command it is given: time at each start for commands that will not run), all of them
     * when they name none.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Class<?> asked = args.length == 0 ? null : COMMANDS.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(args[0])).findFirst().orElse(null);
        for (Class<?> command : asked != null ? List.of(asked) : COMMANDS) {
            cli.addSubcommand(command);
        }
        cli.getSubcommands().values().forEach(c -> c.getCommandSpec().mixinStandardHelpOptions(true)); // flows --help
        return cli;
    }

    static String message(Throwable e) {
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    static int exitCode(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof CaptureException
                || e instanceof java.nio.file.NoSuchFileException || e instanceof io.podcap.pcap.PcapFormatException
                ? EXIT_USAGE : EXIT_FAILURE;
    }
}
