// Checks an unpacked .h5p package with the H5P validator of @lumieducation/h5p-server (npm):
//   node tests/h5p_check.cjs PACKAGE_DIR [LIBRARIES_DIR]
// PackageValidator checks the package as an H5P platform does on upload: h5p.json against the
// H5P metadata schema, content/content.json present and parsable, every file's type allowed.
// With LIBRARIES_DIR (a folder of installed H5P libraries, e.g. H5P.QuestionSet-1.20/), the
// content is also run through the server's SemanticsEnforcer, which removes or changes every
// parameter the libraries' semantics do not allow: any difference is reported.
// Prints one JSON line: {"package": "ok"|error, "semantics": "ok"|"skipped"|[differences]}.
"use strict";
const fs = require("fs");
const path = require("path");
const h5p = require("@lumieducation/h5p-server");
const PackageValidator = require("@lumieducation/h5p-server/build/src/PackageValidator").default;
const SemanticsEnforcer = require("@lumieducation/h5p-server/build/src/SemanticsEnforcer").default;
const FileLibraryStorage =
  require("@lumieducation/h5p-server/build/src/implementation/fs/FileLibraryStorage").default;

function differences(before, after, where, out) {
  if (typeof before !== typeof after || Array.isArray(before) !== Array.isArray(after)) {
    out.push(`${where}: ${JSON.stringify(before)} became ${JSON.stringify(after)}`);
    return out;
  }
  if (before && typeof before === "object") {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!(key in after)) out.push(`${where}.${key}: removed`);
      else if (!(key in before)) out.push(`${where}.${key}: added`);
      else differences(before[key], after[key], `${where}.${key}`, out);
    }
  } else if (before !== after) {
    out.push(`${where}: ${JSON.stringify(before)} became ${JSON.stringify(after)}`);
  }
  return out;
}

async function main() {
  const [packageDir, librariesDir] = process.argv.slice(2);
  const config = new h5p.H5PConfig(undefined);
  const libraryManager = new h5p.LibraryManager(
    new FileLibraryStorage(librariesDir || fs.mkdtempSync(path.join(require("os").tmpdir(), "h5p-")))
  );
  const result = { package: "ok", semantics: "skipped" };
  try {
    const validator = new PackageValidator(config, libraryManager);
    await validator.validateExtractedPackage(packageDir, true, false);
  } catch (error) {
    result.package = String(error.message || error) +
      (error.errors ? " " + JSON.stringify(error.errors.map((e) => [e.errorId, e.replacements])) : "");
  }
  if (librariesDir && result.package === "ok") {
    const meta = JSON.parse(fs.readFileSync(path.join(packageDir, "h5p.json"), "utf8"));
    const main = meta.preloadedDependencies.find((d) => d.machineName === meta.mainLibrary);
    const params = JSON.parse(fs.readFileSync(path.join(packageDir, "content", "content.json"), "utf8"));
    const enforced = JSON.parse(JSON.stringify(params));
    await new SemanticsEnforcer(libraryManager).enforceSemanticStructure(enforced, main);
    const found = differences(params, enforced, "content", []);
    result.semantics = found.length ? found : "ok";
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ package: "crashed: " + (error.stack || error) }) + "\n");
  process.exitCode = 1;
});
