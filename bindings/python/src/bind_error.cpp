// sala/error.hpp: one exception hierarchy rooted at sala.Error, mirroring sala::error.
#include <pybind11/eval.h>

#include "args.hpp"
#include "sala/ports/store.hpp"

namespace sala::python {

namespace {

// Defined in Python so Python ports can raise them with keyword attributes
// (raise sala.BackendError("SMTP down", retryable=True, retry_after_seconds=60)).
constexpr const char* exceptions_source = R"PY(
class Error(Exception):
    """Root of every error sala raises (sala::error)."""
    __module__ = "sala"

class InvalidArgumentError(Error, ValueError):
    """An input was rejected (sala::invalid_argument); ``field`` names it
    ("title", "start", "duration", "zone", "users[1].user_id", ...)."""
    __module__ = "sala"
    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field

class ArgumentTypeError(InvalidArgumentError, TypeError):
    """A value of the wrong type for a parameter or attribute: an
    InvalidArgumentError naming it, and a TypeError."""
    __module__ = "sala"

class InvalidSettingsError(InvalidArgumentError):
    """A settings value was rejected (sala::invalid_settings); ``field`` names the setting."""
    __module__ = "sala"

class NonexistentLocalTimeError(InvalidArgumentError):
    """A local start that does not exist in its zone (DST gap, R8); ``field`` is "start".
    Pass ``choose=`` to take the transition instant."""
    __module__ = "sala"
    def __init__(self, message, field="start"):
        super().__init__(message, field)

class AmbiguousLocalTimeError(InvalidArgumentError):
    """A local start that happens twice in its zone (DST overlap, R8); ``field`` is "start".
    Pass ``choose=`` to pick one."""
    __module__ = "sala"
    def __init__(self, message, field="start"):
        super().__init__(message, field)

class NotFoundError(Error, LookupError):
    """An id that names nothing (sala::not_found); ``kind`` says what was looked up
    ("room", "request", "pool", "booking")."""
    __module__ = "sala"
    def __init__(self, message, kind=""):
        super().__init__(message)
        self.kind = kind

class RuleViolationError(Error):
    """A command a domain rule forbids (sala::rule_violation); ``rule`` is its number ("R3")."""
    __module__ = "sala"
    def __init__(self, message, rule=""):
        super().__init__(message)
        self.rule = rule

class RoomNotFreeError(Error):
    """Raised by Assignment.value() when the room is busy (sala::room_not_free)."""
    __module__ = "sala"

class ReentrantCommandError(Error):
    """A command called back from a port the lifecycle is running, or from an
    allocation policy while it chooses (sala::reentrant_command). Run it after
    that call has returned."""
    __module__ = "sala"

class StoreError(Error):
    """A store refused a file or database: not a sala store, a newer schema, damaged (sala::store_error)."""
    __module__ = "sala"

class BackendError(Error):
    """A port's backend failed (sala::backend_error). ``retryable`` tells the lifecycle
    whether trying again may help; ``retry_after_seconds`` is a hint (0: none).
    Python ports raise it to control retries; any other Exception raised by a
    Python port counts as a retryable BackendError."""
    __module__ = "sala"
    def __init__(self, message, retryable=True, retry_after_seconds=0):
        super().__init__(message)
        self.retryable = bool(retryable)
        self.retry_after_seconds = int(retry_after_seconds)

class ZoomError(BackendError):
    """The Zoom REST adapter's failure (sala::zoom_error): ``http_status`` and ``zoom_code`` (0: none)."""
    __module__ = "sala"
    def __init__(self, message, retryable=True, retry_after_seconds=0, http_status=0, zoom_code=0):
        super().__init__(message, retryable, retry_after_seconds)
        self.http_status = int(http_status)
        self.zoom_code = int(zoom_code)
)PY";

py::object* g_classes[13];
enum {
    k_error,
    k_invalid,
    k_settings,
    k_nonexistent,
    k_ambiguous,
    k_not_found,
    k_rule,
    k_not_free,
    k_backend,
    k_store,
    k_zoom,
    k_reentrant,
    k_type
};  // index into g_classes

void raise(py::object instance) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(instance.ptr())), instance.ptr());
}

py::object make(int k, const char* what) { return (*g_classes[k])(what); }

}  // namespace

py::object& zoom_error_class() { return *g_classes[k_zoom]; }

void bind_error(py::module_& m) {
    py::dict ns;
    ns["__builtins__"] = py::module_::import("builtins");
    py::exec(exceptions_source, ns);
    const char* names[] = {"Error",
                           "InvalidArgumentError",
                           "InvalidSettingsError",
                           "NonexistentLocalTimeError",
                           "AmbiguousLocalTimeError",
                           "NotFoundError",
                           "RuleViolationError",
                           "RoomNotFreeError",
                           "BackendError",
                           "StoreError",
                           "ZoomError",
                           "ReentrantCommandError",
                           "ArgumentTypeError"};
    for (int i = 0; i < 13; ++i) {
        g_classes[i] = new py::object(ns[names[i]]);
        m.attr(names[i]) = *g_classes[i];
    }

    py::register_exception_translator([](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const wrong_type& e) {
            raise((*g_classes[k_type])(e.what(), e.field()));
        } catch (const sala::nonexistent_local_time& e) {
            raise((*g_classes[k_nonexistent])(e.what(), e.field()));
        } catch (const sala::ambiguous_local_time& e) {
            raise((*g_classes[k_ambiguous])(e.what(), e.field()));
        } catch (const sala::invalid_settings& e) {
            raise((*g_classes[k_settings])(e.what(), e.field()));
        } catch (const sala::invalid_argument& e) {
            raise((*g_classes[k_invalid])(e.what(), e.field()));
        } catch (const sala::not_found& e) {
            raise((*g_classes[k_not_found])(e.what(), e.kind()));
        } catch (const sala::rule_violation& e) {
            raise((*g_classes[k_rule])(e.what(), e.rule()));
        } catch (const sala::room_not_free& e) {
            raise(make(k_not_free, e.what()));
        } catch (const sala::backend_error& e) {
            raise((*g_classes[k_backend])(e.what(), e.retryable(), e.retry_after_seconds()));
        } catch (const sala::store_error& e) {
            raise(make(k_store, e.what()));
        } catch (const sala::reentrant_command& e) {
            raise(make(k_reentrant, e.what()));
        } catch (const sala::error& e) {
            raise(make(k_error, e.what()));
        }
    });
}

}  // namespace sala::python
