#include "reports/throughput_section.h"

#include <cmath>

#include "reports/report_format.h"
#include "reports/throughput_charts.h"

namespace rgeval::reports {

namespace {

using nlohmann::json;

double num(const json& j, const char* k) {
  return j.contains(k) && j[k].is_number() ? j[k].get<double>() : NAN;
}
std::string str(const json& j, const char* k) {
  return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
}
std::string integer(double v) { return std::isfinite(v) ? std::to_string(int64_t(v)) : "-"; }
Cell bytes_cell(double v) {
  return Cell(std::isfinite(v) ? format_tick(v, Units::Bytes) : "-", full(v));
}

}  // namespace

std::optional<Section> throughput_section(const std::vector<ThroughputRun>& runs) {
  if (runs.empty()) return std::nullopt;
  Section s;
  s.id = "throughput";
  s.title = "Throughput and memory";
  s.paragraphs.push_back(
      "Sampling tokens/s at a depth (decode steps of a batch of states already at that depth), "
      "prefill tokens/s, "
      "state bytes per sequence and the largest batch within the memory budget, as measured by "
      "`rgeval throughput` "
      "(docs/throughput.md). Roofline fraction = measured / (read bandwidth ÷ bytes read per "
      "token); tiny models "
      "whose weights fit in the CPU caches can exceed 1.");
  Table machine;
  machine.id = "throughput_machine";
  machine.caption = "Machine facts";
  machine.header = {"Run",
                    "CPU",
                    "Cores",
                    "oneDNN ISA",
                    "Threads",
                    "bf16",
                    "Memory",
                    "Read bandwidth (GB/s)",
                    "Load avg start/end",
                    "Date"};
  Table tg;
  tg.id = "throughput_sampling";
  tg.caption = "Sampling (tg): tokens/s vs depth and batch, with the roofline";
  tg.header = {"Run",
               "Model",
               "Depth",
               "Batch",
               "Tokens/s (median)",
               "min-max",
               "Roofline tokens/s",
               "Fraction",
               "State bytes/seq",
               "Peak RSS",
               "At max batch"};
  Table pp;
  pp.id = "throughput_prefill";
  pp.caption = "Prefill (pp): tokens/s vs prompt length";
  pp.header = {"Run", "Model", "Prompt length", "Tokens/s (median)", "min-max"};
  Table mem;
  mem.id = "throughput_memory";
  mem.caption = "Memory: state bytes per sequence and the largest batch within the budget";
  mem.header = {"Run", "Model", "Weights", "Depth", "State bytes/seq", "Max batch", "Budget"};
  for (const ThroughputRun& r : runs) {
    const json& R = r.result;
    const json& M = R["machine"];
    const std::string run = std::to_string(r.run_id);
    machine.rows.push_back(
        {Cell(run), Cell(str(M, "cpu")), Cell(integer(num(M, "cores"))), Cell(str(M, "dnnl_isa")),
         Cell(integer(num(M, "threads"))), Cell(M.value("cpu_has_bf16", false) ? "yes" : "no"),
         bytes_cell(num(M, "mem_total_bytes")), number_cell(num(M, "read_bandwidth_gbs"), 2),
         Cell(fixed(num(M, "loadavg_start"), 2) + " / " + fixed(num(M, "loadavg_end"), 2)),
         Cell(str(R, "started_at"))});
    for (const json& row : R["rows"]) {
      const json t = row.value("tokens_per_s", json::object());
      const std::string model = short_model_name(str(row, "model"));
      const std::string range = fixed(num(t, "min"), 1) + "-" + fixed(num(t, "max"), 1);
      if (str(row, "test") == "tg")
        tg.rows.push_back({Cell(run), Cell(model), Cell(integer(num(row, "depth"))),
                           Cell(integer(num(row, "batch"))), number_cell(num(t, "median"), 1),
                           Cell(range), number_cell(num(row, "roofline_tokens_per_s"), 1),
                           number_cell(num(row, "roofline_fraction"), 3),
                           bytes_cell(num(row, "state_bytes")),
                           bytes_cell(num(row, "rss_peak_bytes")),
                           Cell(row.value("at_max_batch", false) ? "yes" : "")});
      else
        pp.rows.push_back({Cell(run), Cell(model), Cell(integer(num(row, "n_tokens"))),
                           number_cell(num(t, "median"), 1), Cell(range)});
    }
    const json memory = R.value("memory", json::object());
    for (const json& m : memory.value("models", json::array()))
      for (const json& st : m.value("state", json::array()))
        mem.rows.push_back(
            {Cell(run), Cell(short_model_name(str(m, "model"))), bytes_cell(num(m, "weight_bytes")),
             Cell(integer(num(st, "depth"))), bytes_cell(num(st, "state_bytes_formula")),
             Cell(integer(num(st, "max_batch"))), bytes_cell(num(memory, "budget_bytes"))});
    for (auto& [stem, chart] : throughput_charts(R))
      s.charts.push_back({runs.size() > 1 ? "run" + run + "_" + stem : stem, chart});
  }
  for (Table* t : {&machine, &tg, &pp, &mem})
    if (!t->rows.empty()) s.tables.push_back(*t);
  return s;
}

}  // namespace rgeval::reports
