<?php
// A thin PHP wrapper over sala's C API (include/sala/c/sala.h) through PHP's
// FFI extension: every failed call becomes a SalaError, every JSON result an
// array. Run PHP with -d ffi.enable=1 (docs/c_api.md).
declare(strict_types=1);

final class SalaError extends RuntimeException
{
    public function __construct(public readonly string $status, public readonly string $field, string $message)
    {
        parent::__construct($message);
    }
}

final class Sala
{
    private FFI $ffi;

    // $header: the installed sala/c/sala.h; $library: libsala_c.so (a path, or
    // a name the dynamic loader finds).
    public function __construct(string $header, string $library)
    {
        $this->ffi = FFI::cdef(self::declarations($header), $library);
    }

    // FFI::cdef reads plain C declarations: the header without its
    // preprocessor lines, comments and export macro.
    private static function declarations(string $header): string
    {
        $text = file_get_contents($header);
        if ($text === false) {
            throw new RuntimeException("cannot read $header");
        }
        $text = preg_replace('~/\*.*?\*/~s', '', $text);
        $text = preg_replace('~#ifdef __cplusplus.*?#endif~s', '', $text);
        $text = preg_replace('~^\s*#.*$~m', '', $text);
        return str_replace('SALA_C_API ', '', $text);
    }

    public function version(): string
    {
        $abi = $this->ffi->new('int');
        $v = $this->ffi->sala_version(FFI::addr($abi));
        return "$v (ABI {$abi->cdata})";
    }

    // Calls sala_<name>(...$args); throws SalaError unless it returned SALA_OK.
    public function call(string $name, mixed ...$args): void
    {
        $status = $this->ffi->{"sala_$name"}(...$args);
        if ($status !== 0) {
            throw new SalaError(
                $this->ffi->sala_status_name($status),
                $this->ffi->sala_last_error_field(),
                $this->ffi->sala_last_error()
            );
        }
    }

    // Calls a function whose last argument is a char ** of JSON; returns it decoded.
    public function json(string $name, mixed ...$args): array
    {
        $out = $this->ffi->new('char*');
        $this->call($name, ...[...$args, FFI::addr($out)]);
        try {
            return json_decode(FFI::string($out), true, 512, JSON_THROW_ON_ERROR);
        } finally {
            $this->ffi->sala_free($out);
        }
    }

    public function new(string $type): FFI\CData
    {
        return $this->ffi->new($type);
    }

    public function __call(string $name, array $args): mixed
    {
        return $this->ffi->$name(...$args);
    }
}
