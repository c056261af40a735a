import { usePageTitle } from "../layout/usePageTitle";

export function TaskListPage() {
  usePageTitle("TaskListPage");
  return <h1>TaskListPage</h1>;
}
