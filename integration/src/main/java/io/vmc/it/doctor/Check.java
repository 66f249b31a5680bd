package io.vmc.it.doctor;

import java.util.function.Supplier;

/** One thing the doctor looks at. A check never throws: a failure is a result. */
public record Check(String name, Supplier<Result> probe) {

    public enum Status { OK, WARN, MISSING }

    /**
     * What a check found; {@code fix} tells the user what to do, {@code need} is the package-list
     * line behind the check (null for checks no package fixes, such as a running PulseAudio).
     */
    public record Result(String name, Status status, String detail, String fix, Setup.Need need) {}

    public Result run() {
        try {
            Result r = probe.get();
            return new Result(name, r.status(), r.detail(), r.fix(), r.need());
        } catch (RuntimeException | LinkageError e) {
            return new Result(name, Status.MISSING, "check failed: " + e, null, null);
        }
    }

    public static Result ok(String detail) {
        return new Result("", Status.OK, detail, null, null);
    }

    public static Result missing(String detail, String fix) {
        return new Result("", Status.MISSING, detail, fix, null);
    }

    public static Result warn(String detail, String fix) {
        return new Result("", Status.WARN, detail, fix, null);
    }

    /** A need of the package list that is absent: MISSING when required, WARN when optional. */
    public static Result absent(Setup.Need need, boolean required, String detail) {
        return new Result("", required ? Status.MISSING : Status.WARN, detail, need.debianPackage(), need);
    }
}
