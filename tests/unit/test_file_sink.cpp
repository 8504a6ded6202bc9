// sala/ports/file_sink.hpp with its two adapters: the in-memory fake
// (sala/fakes/memory_files.hpp) and the folder (sala/adapters/folder_sink.hpp).
#include "sala/ports/file_sink.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "sala/adapters/folder_sink.hpp"
#include "sala/error.hpp"
#include "sala/fakes/memory_files.hpp"

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::filesystem::path fresh_dir(const std::string& name) {
    const auto d = std::filesystem::path(::testing::TempDir()) / name;
    std::filesystem::remove_all(d);
    return d;
}

}  // namespace

TEST(FileSink, RelativePathsStayInsideTheSink) {
    EXPECT_EQ(sala::relative_path_problem("attendance-1.csv"), "");
    EXPECT_EQ(sala::relative_path_problem("request-1/rec.mp4"), "");
    EXPECT_NE(sala::relative_path_problem(""), "");
    EXPECT_NE(sala::relative_path_problem("/etc/passwd"), "");
    EXPECT_NE(sala::relative_path_problem("../up"), "");
    EXPECT_NE(sala::relative_path_problem("a/../b"), "");
    EXPECT_NE(sala::relative_path_problem("a//b"), "");
    EXPECT_NE(sala::relative_path_problem("a/"), "");
    EXPECT_NE(sala::relative_path_problem("./a"), "");
}

TEST(MemoryFiles, RecordsWritesAndReplacesAFile) {
    sala::memory_files files;
    files.write("a.csv", "one");
    files.write("dir/b.txt", std::string_view("x\0y", 3));
    files.write("a.csv", "two");
    EXPECT_EQ(files.read("a.csv"), "two");
    EXPECT_EQ(files.read("dir/b.txt"), std::string("x\0y", 3));
    EXPECT_FALSE(files.read("missing"));
    EXPECT_TRUE(files.exists("dir/b.txt"));
    EXPECT_EQ(files.written().size(), 2u);
    EXPECT_EQ(files.log(), (std::vector<std::string>{"a.csv", "dir/b.txt", "a.csv"}));
    EXPECT_EQ(files.location("a.csv"), "memory:a.csv");
    EXPECT_THROW(files.write("../a", "x"), sala::invalid_argument);
}

TEST(MemoryFiles, FailsOnDemand) {
    sala::memory_files files;
    files.fail_next(2, false);
    try {
        files.write("a", "x");
        FAIL();
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable());
    }
    EXPECT_THROW(files.stream_path("b"), sala::backend_error);
    files.write("a", "x");
    EXPECT_EQ(files.log(), std::vector<std::string>{"a"});
}

TEST(MemoryFiles, StreamedFilesAreReadBackAndTheScratchFolderGoes) {
    std::filesystem::path scratch;
    {
        sala::memory_files files;
        const std::string path = files.stream_path("request-1/rec.mp4");
        {
            std::ofstream out(path, std::ios::binary);
            out << "video";
        }
        EXPECT_EQ(files.read("request-1/rec.mp4"), "video");
        EXPECT_TRUE(files.written().empty());
        scratch = std::filesystem::path(path).parent_path().parent_path();
        EXPECT_TRUE(std::filesystem::exists(scratch));
    }
    EXPECT_FALSE(std::filesystem::exists(scratch));
}

TEST(FolderSink, WritesUnderItsRootMakingFolders) {
    const auto root = fresh_dir("sala-folder-sink");
    sala::folder_sink sink(root.string());
    sink.write("reports/attendance-1.csv", "name,email\n");
    EXPECT_EQ(slurp(root / "reports" / "attendance-1.csv"), "name,email\n");
    sink.write("reports/attendance-1.csv", "short");
    EXPECT_EQ(slurp(root / "reports" / "attendance-1.csv"), "short");
    EXPECT_EQ(sink.location("reports/attendance-1.csv"),
              (root / "reports" / "attendance-1.csv").string());
    EXPECT_EQ(sink.root(), root.string());
    EXPECT_THROW(sink.write("/abs", "x"), sala::invalid_argument);
    EXPECT_THROW(sink.location("a/../../b"), sala::invalid_argument);
}

TEST(FolderSink, StreamPathHasItsFolderReady) {
    const auto root = fresh_dir("sala-folder-sink-stream");
    sala::folder_sink sink(root.string());
    const std::string path = sink.stream_path("request-7/rec.mp4");
    EXPECT_EQ(path, (root / "request-7" / "rec.mp4").string());
    EXPECT_TRUE(std::filesystem::is_directory(root / "request-7"));
    EXPECT_FALSE(std::filesystem::exists(path));  // the backend writes it
}

TEST(FolderSink, FailuresAreRetryableBackendErrors) {
    const auto root = fresh_dir("sala-folder-sink-blocked");
    std::filesystem::create_directories(root);
    { std::ofstream(root / "file") << "in the way"; }
    sala::folder_sink sink(root.string());
    try {
        sink.write("file/x.csv", "x");  // a file where the folder should be
        FAIL();
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable());
        EXPECT_NE(std::string(e.what()).find("cannot write"), std::string::npos);
    }
    EXPECT_THROW(sink.stream_path("file/x.mp4"), sala::backend_error);
    EXPECT_THROW(sala::folder_sink(""), sala::invalid_argument);
}
