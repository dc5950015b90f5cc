// Interpolation as Grafana 12 dashboards do it, for tests: the variables live in a Scenes dashboard (the engine of
// Grafana 12's dashboards, @grafana/scenes), and the TemplateSrv hands `replace` to `sceneGraph.interpolate`, as
// Grafana's TemplateSrv does when a scene is active (grafana/grafana public/app/features/templating/template_srv.ts,
// `replace`: `scopedVars.__sceneObject` first, else `window.__grafanaSceneContext`). "All", custom all values,
// multi-value formats and scoped values are then Scenes' own code, not an imitation of it.
import './sceneGlobals';
import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { CustomVariable, EmbeddedScene, SceneFlexLayout, SceneVariableSet, sceneGraph } from '@grafana/scenes';

/** Grafana's value for "All" in a variable's current value (ALL_VARIABLE_VALUE). */
export const ALL = '$__all';

export interface VariableSpec {
  /** The current value: one value, several, or [ALL]. */
  value: string | string[];
  /** The variable's options (default: the current value(s)). */
  options?: string[];
  includeAll?: boolean;
  allValue?: string;
}

function toVariable(name: string, spec: VariableSpec): CustomVariable {
  const values = Array.isArray(spec.value) ? spec.value : [spec.value];
  const options = spec.options ?? values;
  return new CustomVariable({
    name,
    query: options.join(','),
    options: options.map((o) => ({ label: o, value: o })),
    value: spec.value,
    text: spec.value,
    isMulti: Array.isArray(spec.value),
    includeAll: spec.includeAll ?? values.includes(ALL),
    allValue: spec.allValue,
  });
}

export interface SceneTemplateSrv extends TemplateSrv {
  /** Replaces the dashboard's variables (plain strings/arrays are custom variables with those values). */
  setVariables(vars: Record<string, VariableSpec | string | string[]>): void;
  /** Sets or adds one variable, keeping the others. */
  setVariable(name: string, spec: VariableSpec | string | string[]): void;
}

export function createSceneTemplateSrv(vars: Record<string, VariableSpec | string | string[]> = {}): SceneTemplateSrv {
  const set = new SceneVariableSet({ variables: [] });
  const scene = new EmbeddedScene({ $variables: set, body: new SceneFlexLayout({ children: [] }) });
  const spec = (v: VariableSpec | string | string[]): VariableSpec =>
    typeof v === 'string' || Array.isArray(v) ? { value: v } : v;
  const srv: SceneTemplateSrv = {
    setVariables(next) {
      set.setState({ variables: Object.entries(next).map(([name, v]) => toVariable(name, spec(v))) });
    },
    setVariable(name, v) {
      const others = set.state.variables.filter((x) => x.state.name !== name);
      set.setState({ variables: [...others, toVariable(name, spec(v))] });
    },
    replace(target?: string, scopedVars?: ScopedVars, format?: string | Function) {
      // Grafana unwraps `__sceneObject` with valueOf(): Scenes wraps it in a SafeSerializableSceneObject.
      const context = (scopedVars?.__sceneObject?.value?.valueOf() as typeof scene | undefined) ?? scene;
      return sceneGraph.interpolate(context, target, scopedVars, format as never);
    },
    getVariables: () => [],
    // Grafana's answer: does the text name a variable it knows?
    containsTemplate: (target?: string) => !!target && srv.replace(target) !== target,
    updateTimeRange: () => undefined,
  };
  srv.setVariables(vars);
  return srv;
}
