// sala/error.hpp: one exception hierarchy rooted at sala.Error, mirroring sala::error.
#include <pybind11/eval.h>

#include <cctype>
#include <string_view>
#include <utility>
#include <vector>

#include "args.hpp"
#include "sala/enum_names.hpp"
#include "sala/lifecycle/lifecycle.hpp"
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

// ---- Python spellings --------------------------------------------------------------------
// sala's messages are written for C++ users ("pass choose::earliest"). On their
// way into Python, in this one place, every C++ spelling they can hold becomes
// what a Python user writes (docs/python.md "Errors"); C++ messages stay as
// they are. tests/python/test_error_spellings.py provokes each.

struct rewrite {
    std::string cpp;
    std::string python;
    bool whole_word = false;  // the match must not run on into a longer name
};

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

// cpp_name::member -> PyName.MEMBER for every member of E.
template <class E>
void enum_rewrites(std::vector<rewrite>& out, const std::string& cpp_name,
                   const std::string& py_name) {
    for (const auto& [e, name] : enum_names<E>::entries)
        out.push_back({cpp_name + "::" + std::string(name), py_name + "." + upper(name), true});
}

const std::vector<rewrite>& rewrites() {
    static const std::vector<rewrite> table = [] {
        std::vector<rewrite> r;
        // "pass choose::earliest" names the argument Python spells choose=.
        r.push_back({"pass choose::earliest or choose::latest",
                     "pass choose=Choose.EARLIEST or choose=Choose.LATEST"});
        enum_rewrites<choose>(r, "choose", "Choose");
        enum_rewrites<room_mode>(r, "room_mode", "RoomMode");
        enum_rewrites<pool_kind>(r, "pool_kind", "PoolKind");
        enum_rewrites<admission>(r, "admission", "Admission");
        enum_rewrites<policy_kind>(r, "policy_kind", "PolicyKind");
        enum_rewrites<webinar_status>(r, "webinar_status", "WebinarStatus");
        enum_rewrites<step_kind>(r, "step_kind", "StepKind");
        // Enum values quoted bare in a sentence.
        for (const auto& [e, name] : enum_names<step_kind>::entries)
            r.push_back({"step '" + std::string(name) + "'", "step StepKind." + upper(name)});
        for (const auto& [e, name] : enum_names<pool_kind>::entries)
            r.push_back({"already linked as " + std::string(name),
                         "already linked as PoolKind." + upper(name), true});
        // Classes and their members.
        r.push_back({"durable_lifecycle::", "DurableLifecycle."});
        r.push_back({"durable_platform::", "DurablePlatform."});
        r.push_back({"lifecycle::", "Lifecycle."});
        r.push_back({"platform::", "Platform."});
        return r;
    }();
    return table;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::string python_text(std::string s) {
    for (const auto& w : rewrites()) {
        for (std::size_t at = s.find(w.cpp); at != std::string::npos; at = s.find(w.cpp, at)) {
            const std::size_t end = at + w.cpp.size();
            if (w.whole_word && end < s.size() && word_char(s[end])) {
                at = end;
                continue;
            }
            s.replace(at, w.cpp.size(), w.python);
            at += w.python.size();
        }
    }
    return s;
}

// C++ fields Python spells differently (``from`` is a Python keyword).
std::string python_field(const std::string& field) {
    static const std::pair<std::string_view, std::string_view> renamed[] = {{"from", "sender"}};
    for (const auto& [cpp, py] : renamed)
        if (field.rfind(cpp, 0) == 0 &&
            (field.size() == cpp.size() || field[cpp.size()] == '.' || field[cpp.size()] == '['))
            return std::string(py) + field.substr(cpp.size());
    return field;
}

// An invalid_argument's message is "field: reason"; both move to Python spelling.
std::pair<std::string, std::string> python_field_message(const std::string& field,
                                                         const std::string& what) {
    const std::string f = python_field(field);
    std::string msg = what;
    if (f != field && msg.rfind(field + ": ", 0) == 0) msg = f + msg.substr(field.size());
    return {f, python_text(std::move(msg))};
}

py::object make(int k, const char* what) { return (*g_classes[k])(python_text(what)); }

template <class E>
void raise_field(int k, const E& e) {
    const auto [field, msg] = python_field_message(e.field(), e.what());
    raise((*g_classes[k])(msg, field));
}

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
            raise_field(k_type, e);
        } catch (const sala::nonexistent_local_time& e) {
            raise_field(k_nonexistent, e);
        } catch (const sala::ambiguous_local_time& e) {
            raise_field(k_ambiguous, e);
        } catch (const sala::invalid_settings& e) {
            raise_field(k_settings, e);
        } catch (const sala::invalid_argument& e) {
            raise_field(k_invalid, e);
        } catch (const sala::not_found& e) {
            raise((*g_classes[k_not_found])(python_text(e.what()), e.kind()));
        } catch (const sala::rule_violation& e) {
            raise((*g_classes[k_rule])(python_text(e.what()), e.rule()));
        } catch (const sala::room_not_free& e) {
            raise(make(k_not_free, e.what()));
        } catch (const sala::backend_error& e) {
            // A backend's own words (Zoom's, an SMTP server's, a Python port's): as they came.
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
